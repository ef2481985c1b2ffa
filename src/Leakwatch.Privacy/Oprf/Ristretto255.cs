namespace Leakwatch.Privacy.Oprf;

/// <summary>
/// The ristretto255 prime-order group (RFC 9496) over libsodium. Elements are canonical 32-byte encodings;
/// scalars are 32-byte little-endian integers mod L = 2^252 + 27742317777372353535851937790883648493.
/// Each call checks only what libsodium needs to stay in bounds; protocol-level checks live in <see cref="OprfSuite"/>.
/// </summary>
public static unsafe class Ristretto255
{
    public const int ElementSize = 32;
    public const int ScalarSize = 32;
    /// <summary>Input size of <see cref="FromHash"/> and <see cref="ScalarReduce"/>.</summary>
    public const int WideSize = 64;

    static Ristretto255() => Sodium.EnsureInitialized();

    /// <summary>Maps 64 uniform bytes to an element (the map step of hash_to_ristretto255).</summary>
    public static void FromHash(ReadOnlySpan<byte> hash64, Span<byte> element)
    {
        Require(hash64, WideSize, nameof(hash64));
        Require(element, ElementSize, nameof(element));
        fixed (byte* h = hash64)
        fixed (byte* e = element)
        {
            Sodium.crypto_core_ristretto255_from_hash(e, h);
        }
    }

    /// <summary>True for a canonical encoding of a group element. The identity counts as valid here.</summary>
    public static bool IsValidPoint(ReadOnlySpan<byte> element)
    {
        if (element.Length != ElementSize)
        {
            return false;
        }

        fixed (byte* e = element)
        {
            return Sodium.crypto_core_ristretto255_is_valid_point(e) == 1;
        }
    }

    /// <summary>The identity's only canonical encoding is 32 zero bytes.</summary>
    public static bool IsIdentity(ReadOnlySpan<byte> element) =>
        element.Length == ElementSize && !element.ContainsAnyExcept((byte)0);

    /// <summary>result = scalar · element. False when the element does not decode or the product is the identity
    /// (libsodium refuses to output the identity), in which case <paramref name="result"/> is unspecified.</summary>
    public static bool TryScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> element, Span<byte> result)
    {
        Require(scalar, ScalarSize, nameof(scalar));
        Require(element, ElementSize, nameof(element));
        Require(result, ElementSize, nameof(result));
        fixed (byte* s = scalar)
        fixed (byte* e = element)
        fixed (byte* r = result)
        {
            return Sodium.crypto_scalarmult_ristretto255(r, s, e) == 0;
        }
    }

    /// <summary>result = scalar · G. False when the scalar is 0 mod L.</summary>
    public static bool TryScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        Require(scalar, ScalarSize, nameof(scalar));
        Require(result, ElementSize, nameof(result));
        fixed (byte* s = scalar)
        fixed (byte* r = result)
        {
            return Sodium.crypto_scalarmult_ristretto255_base(r, s) == 0;
        }
    }

    /// <summary>A uniformly random scalar in [1, L-1].</summary>
    public static void ScalarRandom(Span<byte> scalar)
    {
        Require(scalar, ScalarSize, nameof(scalar));
        fixed (byte* s = scalar)
        {
            Sodium.crypto_core_ristretto255_scalar_random(s);
        }
    }

    /// <summary>result = scalar⁻¹ mod L. False for the zero scalar.</summary>
    public static bool TryScalarInvert(ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        Require(scalar, ScalarSize, nameof(scalar));
        Require(result, ScalarSize, nameof(result));
        fixed (byte* s = scalar)
        fixed (byte* r = result)
        {
            return Sodium.crypto_core_ristretto255_scalar_invert(r, s) == 0;
        }
    }

    /// <summary>Reduces a 64-byte little-endian integer mod L.</summary>
    public static void ScalarReduce(ReadOnlySpan<byte> wide64, Span<byte> scalar)
    {
        Require(wide64, WideSize, nameof(wide64));
        Require(scalar, ScalarSize, nameof(scalar));
        fixed (byte* w = wide64)
        fixed (byte* s = scalar)
        {
            Sodium.crypto_core_ristretto255_scalar_reduce(s, w);
        }
    }

    /// <summary>result = x · y mod L.</summary>
    public static void ScalarMul(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> result)
    {
        Require(x, ScalarSize, nameof(x));
        Require(y, ScalarSize, nameof(y));
        Require(result, ScalarSize, nameof(result));
        fixed (byte* a = x)
        fixed (byte* b = y)
        fixed (byte* r = result)
        {
            Sodium.crypto_core_ristretto255_scalar_mul(r, a, b);
        }
    }

    /// <summary>True when the 32 bytes are the canonical encoding of a scalar, i.e. an integer below L
    /// (RFC 9497's DeserializeScalar). libsodium exports no such check, so reduce and compare.</summary>
    public static bool IsCanonicalScalar(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != ScalarSize)
        {
            return false;
        }

        Span<byte> wide = stackalloc byte[WideSize];
        scalar.CopyTo(wide);
        wide[ScalarSize..].Clear();
        Span<byte> reduced = stackalloc byte[ScalarSize];
        ScalarReduce(wide, reduced);
        return reduced.SequenceEqual(scalar);
    }

    public static bool IsZeroScalar(ReadOnlySpan<byte> scalar) => !scalar.ContainsAnyExcept((byte)0);

    private static void Require(ReadOnlySpan<byte> span, int length, string name)
    {
        if (span.Length != length)
        {
            throw new ArgumentException($"expected {length} bytes, got {span.Length}", name);
        }
    }
}
