using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Leakwatch.Privacy.Oprf;

/// <summary>
/// RFC 9497 OPRF(ristretto255, SHA-512) in mode 0x00 (OPRF, not verifiable). The client blinds its input, the
/// server multiplies the blinded element by its key, the client unblinds and hashes; the server learns nothing
/// about the input and the client learns only F(skS, input). <see cref="Evaluate"/> computes the same F directly
/// for the server, which is how the private index is built.
/// </summary>
/// <remarks>Span overloads allocate nothing; the array overloads allocate only their result.</remarks>
public static class OprfSuite
{
    public const string Identifier = "ristretto255-SHA512";
    public const byte Mode = 0x00;
    public const int ElementSize = Ristretto255.ElementSize;
    public const int ScalarSize = Ristretto255.ScalarSize;
    public const int OutputSize = 64;
    public const int SeedSize = 32;
    /// <summary>Inputs are framed with a 2-byte length, so at most 2^16 - 1 bytes.</summary>
    public const int MaxInputLength = ushort.MaxValue;

    private const int StackInputLimit = 1024;

    /// <summary>contextString = "OPRFV1-" || I2OSP(mode, 1) || "-" || identifier.</summary>
    public static ReadOnlySpan<byte> ContextString => "OPRFV1-\0-ristretto255-SHA512"u8;

    private static ReadOnlySpan<byte> HashToGroupDst => "HashToGroup-OPRFV1-\0-ristretto255-SHA512"u8;
    private static ReadOnlySpan<byte> HashToScalarDst => "HashToScalar-OPRFV1-\0-ristretto255-SHA512"u8;
    private static ReadOnlySpan<byte> DeriveKeyPairDst => "DeriveKeyPairOPRFV1-\0-ristretto255-SHA512"u8;
    private static ReadOnlySpan<byte> FinalizeLabel => "Finalize"u8;

    /// <summary>hash_to_ristretto255: expand_message_xmd(SHA-512) to 64 bytes, then the one-way map.</summary>
    [SkipLocalsInit]
    public static void HashToGroup(ReadOnlySpan<byte> input, Span<byte> element)
    {
        Span<byte> uniform = stackalloc byte[Ristretto255.WideSize];
        ExpandMessageXmd.Sha512(input, HashToGroupDst, uniform);
        Ristretto255.FromHash(uniform, element);
    }

    /// <summary>64 bytes of expand_message_xmd read as a little-endian integer and reduced mod L.</summary>
    public static void HashToScalar(ReadOnlySpan<byte> input, Span<byte> scalar) => HashToScalar(input, HashToScalarDst, scalar);

    [SkipLocalsInit]
    private static void HashToScalar(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst, Span<byte> scalar)
    {
        Span<byte> uniform = stackalloc byte[Ristretto255.WideSize];
        ExpandMessageXmd.Sha512(input, dst, uniform);
        Ristretto255.ScalarReduce(uniform, scalar);
    }

    /// <summary>RFC 9497 §3.2.1: a key pair determined by a 32-byte seed and a public info string.</summary>
    public static OprfKeyPair DeriveKeyPair(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> info)
    {
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException($"the seed must be {SeedSize} bytes", nameof(seed));
        }

        if (info.Length > ushort.MaxValue)
        {
            throw new ArgumentException("info longer than 65535 bytes", nameof(info));
        }

        // deriveInput = seed || I2OSP(len(info), 2) || info, then one counter byte per attempt
        var deriveInput = new byte[seed.Length + 2 + info.Length + 1];
        seed.CopyTo(deriveInput);
        deriveInput[seed.Length] = (byte)(info.Length >> 8);
        deriveInput[seed.Length + 1] = (byte)info.Length;
        info.CopyTo(deriveInput.AsSpan(seed.Length + 2));

        var skS = new byte[ScalarSize];
        for (var counter = 0; counter <= 255; counter++)
        {
            deriveInput[^1] = (byte)counter;
            HashToScalar(deriveInput, DeriveKeyPairDst, skS);
            if (!Ristretto255.IsZeroScalar(skS))
            {
                return new OprfKeyPair(skS, PublicKeyOf(skS));
            }
        }

        throw new CryptographicException("DeriveKeyPair found no non-zero scalar in 256 attempts");
    }

    /// <summary>A fresh random key pair.</summary>
    public static OprfKeyPair GenerateKeyPair()
    {
        var skS = new byte[ScalarSize];
        Ristretto255.ScalarRandom(skS);
        return new OprfKeyPair(skS, PublicKeyOf(skS));
    }

    /// <summary>True for a usable skS: a canonical, non-zero scalar. Check keys once when loading them.</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> skS) =>
        Ristretto255.IsCanonicalScalar(skS) && !Ristretto255.IsZeroScalar(skS);

    private static byte[] PublicKeyOf(byte[] skS)
    {
        var pkS = new byte[ElementSize];
        if (!Ristretto255.TryScalarMultBase(skS, pkS))
        {
            throw new CryptographicException("the private key is zero");
        }

        return pkS;
    }

    /// <summary>Client: blinds <paramref name="input"/> with a fresh random scalar, written to <paramref name="blind"/>
    /// (keep it for <see cref="Finalize(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>).</summary>
    public static void Blind(ReadOnlySpan<byte> input, Span<byte> blind, Span<byte> blindedElement)
    {
        Ristretto255.ScalarRandom(blind);
        BlindWithScalar(input, blind, blindedElement);
    }

    /// <summary>Client: blinds with a caller-chosen scalar. For test vectors; real clients use a random blind.</summary>
    [SkipLocalsInit]
    public static void BlindWithScalar(ReadOnlySpan<byte> input, ReadOnlySpan<byte> blind, Span<byte> blindedElement)
    {
        if (!Ristretto255.IsCanonicalScalar(blind) || Ristretto255.IsZeroScalar(blind))
        {
            throw new ArgumentException("the blind must be a canonical non-zero scalar", nameof(blind));
        }

        RequireInputLength(input);
        Span<byte> inputElement = stackalloc byte[ElementSize];
        HashToGroup(input, inputElement);
        // the product is the identity only if the input hashed to it: RFC 9497's InvalidInputError
        if (!Ristretto255.TryScalarMult(blind, inputElement, blindedElement))
        {
            throw new ArgumentException("the input hashes to the identity element", nameof(input));
        }
    }

    /// <summary>Client: (blind, blindedElement); a random blind unless <paramref name="fixedBlind"/> is given (tests).</summary>
    public static (byte[] Blind, byte[] BlindedElement) Blind(ReadOnlySpan<byte> input, ReadOnlySpan<byte> fixedBlind = default)
    {
        var blind = new byte[ScalarSize];
        var blindedElement = new byte[ElementSize];
        if (fixedBlind.IsEmpty)
        {
            Blind(input, blind, blindedElement);
        }
        else
        {
            fixedBlind.CopyTo(blind);
            BlindWithScalar(input, blind, blindedElement);
        }

        return (blind, blindedElement);
    }

    /// <summary>Server: evaluatedElement = skS · blindedElement.</summary>
    /// <exception cref="OprfInvalidElementException">The blinded element is not a canonical encoding, or is the identity.</exception>
    public static void BlindEvaluate(ReadOnlySpan<byte> skS, ReadOnlySpan<byte> blindedElement, Span<byte> evaluatedElement)
    {
        if (blindedElement.Length != ElementSize)
        {
            throw new OprfInvalidElementException($"a blinded element is {ElementSize} bytes, got {blindedElement.Length}");
        }

        // libsodium decodes (rejecting non-canonical encodings) and refuses an identity product in one call;
        // the checks below only run to say which went wrong.
        if (!Ristretto255.TryScalarMult(skS, blindedElement, evaluatedElement))
        {
            throw ScalarMultFailure(blindedElement, "blinded element");
        }
    }

    /// <inheritdoc cref="BlindEvaluate(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
    public static byte[] BlindEvaluate(ReadOnlySpan<byte> skS, ReadOnlySpan<byte> blindedElement)
    {
        var evaluatedElement = new byte[ElementSize];
        BlindEvaluate(skS, blindedElement, evaluatedElement);
        return evaluatedElement;
    }

    /// <summary>Client: unblinds the server's answer and hashes it with the input into the 64-byte PRF output.</summary>
    /// <exception cref="OprfInvalidElementException">The evaluated element is not a canonical encoding, or is the identity.</exception>
    [SkipLocalsInit]
    public static void Finalize(ReadOnlySpan<byte> input, ReadOnlySpan<byte> blind, ReadOnlySpan<byte> evaluatedElement, Span<byte> output)
    {
        if (evaluatedElement.Length != ElementSize)
        {
            throw new OprfInvalidElementException($"an evaluated element is {ElementSize} bytes, got {evaluatedElement.Length}");
        }

        RequireInputLength(input);
        Span<byte> inverse = stackalloc byte[ScalarSize];
        if (!Ristretto255.TryScalarInvert(blind, inverse))
        {
            throw new ArgumentException("the blind is zero", nameof(blind));
        }

        Span<byte> unblinded = stackalloc byte[ElementSize];
        var ok = Ristretto255.TryScalarMult(inverse, evaluatedElement, unblinded);
        CryptographicOperations.ZeroMemory(inverse);
        if (!ok)
        {
            throw ScalarMultFailure(evaluatedElement, "evaluated element");
        }

        FinalizeHash(input, unblinded, output);
    }

    /// <inheritdoc cref="Finalize(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
    public static byte[] Finalize(ReadOnlySpan<byte> input, ReadOnlySpan<byte> blind, ReadOnlySpan<byte> evaluatedElement)
    {
        var output = new byte[OutputSize];
        Finalize(input, blind, evaluatedElement, output);
        return output;
    }

    /// <summary>Server: the PRF computed directly, F(skS, input); equal to what a client's
    /// Blind → BlindEvaluate → Finalize yields for the same key and input.</summary>
    [SkipLocalsInit]
    public static void Evaluate(ReadOnlySpan<byte> skS, ReadOnlySpan<byte> input, Span<byte> output)
    {
        RequireInputLength(input);
        Span<byte> inputElement = stackalloc byte[ElementSize];
        HashToGroup(input, inputElement);
        Span<byte> evaluated = stackalloc byte[ElementSize];
        if (!Ristretto255.TryScalarMult(skS, inputElement, evaluated))
        {
            throw Ristretto255.IsIdentity(inputElement)
                ? new ArgumentException("the input hashes to the identity element", nameof(input))
                : new CryptographicException("the private key is zero mod L");
        }

        FinalizeHash(input, evaluated, output);
    }

    /// <inheritdoc cref="Evaluate(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
    public static byte[] Evaluate(ReadOnlySpan<byte> skS, ReadOnlySpan<byte> input)
    {
        var output = new byte[OutputSize];
        Evaluate(skS, input, output);
        return output;
    }

    /// <summary>SHA-512(I2OSP(len(input), 2) || input || I2OSP(32, 2) || element || "Finalize").</summary>
    [SkipLocalsInit]
    private static void FinalizeHash(ReadOnlySpan<byte> input, ReadOnlySpan<byte> unblindedElement, Span<byte> output)
    {
        if (output.Length != OutputSize)
        {
            throw new ArgumentException($"the output is {OutputSize} bytes", nameof(output));
        }

        var length = 2 + input.Length + 2 + ElementSize + FinalizeLabel.Length;
        byte[]? rented = null;
        var buffer = length <= StackInputLimit
            ? stackalloc byte[StackInputLimit]
            : rented = ArrayPool<byte>.Shared.Rent(length);
        buffer = buffer[..length];
        buffer[0] = (byte)(input.Length >> 8);
        buffer[1] = (byte)input.Length;
        input.CopyTo(buffer[2..]);
        var rest = buffer[(2 + input.Length)..];
        rest[0] = 0;
        rest[1] = ElementSize;
        unblindedElement.CopyTo(rest[2..]);
        FinalizeLabel.CopyTo(rest[(2 + ElementSize)..]);
        SHA512.HashData(buffer, output);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static Exception ScalarMultFailure(ReadOnlySpan<byte> element, string what)
    {
        if (Ristretto255.IsIdentity(element))
        {
            return new OprfInvalidElementException($"the {what} is the identity");
        }

        if (!Ristretto255.IsValidPoint(element))
        {
            return new OprfInvalidElementException($"the {what} is not a canonical ristretto255 encoding");
        }

        return new CryptographicException("the scalar is zero mod L");
    }

    private static void RequireInputLength(ReadOnlySpan<byte> input)
    {
        if (input.Length > MaxInputLength)
        {
            throw new ArgumentException($"inputs are at most {MaxInputLength} bytes", nameof(input));
        }
    }
}
