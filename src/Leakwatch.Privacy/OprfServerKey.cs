using System.Security.Cryptography;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy;

/// <summary>
/// One OPRF server key of private lookups: a 32-byte random seed, expanded by RFC 9497 DeriveKeyPair with info
/// <c>leakwatch/private/v1</c>. The private scalar never leaves this class: callers evaluate through it.
/// </summary>
public sealed class OprfServerKey
{
    public const int SeedSize = OprfSuite.SeedSize;
    private static ReadOnlySpan<byte> DeriveInfo => "leakwatch/private/v1"u8;
    private static ReadOnlySpan<byte> KeyIdLabel => "leakwatch/private/v1/key-id"u8;
    private static ReadOnlySpan<byte> DummyKeyInfo => "leakwatch/private/v1/dummy"u8;
    private static ReadOnlySpan<byte> AtRestKeyInfo => "leakwatch/private/v2/at-rest"u8;
    private readonly byte[] _privateKey;

    internal OprfServerKey(byte[] seed, DateTimeOffset created)
    {
        Seed = seed;
        Created = created;
        var pair = OprfSuite.DeriveKeyPair(seed, DeriveInfo);
        _privateKey = pair.PrivateKey;
        PublicKey = pair.PublicKey;
        KeyId = KeyIdOf(PublicKey);
        DummyKey = new byte[16];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, DummyKey, [], DummyKeyInfo);
        AtRestKey = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, AtRestKey, [], AtRestKeyInfo);
    }

    /// <summary>16 lowercase hex digits of SHA-256("leakwatch/private/v1/key-id" || pkS).</summary>
    public string KeyId { get; }

    /// <summary>pkS = skS·G (not sent in mode 0; it names the key).</summary>
    public byte[] PublicKey { get; }

    public DateTimeOffset Created { get; }

    internal byte[] Seed { get; }

    /// <summary>SipHash key that makes a bucket's dummy entries recognisable to the server alone (private-index-format.md).</summary>
    internal byte[] DummyKey { get; }

    /// <summary>XChaCha20 key of the private index's entries at rest (private-index-format.md).</summary>
    internal byte[] AtRestKey { get; }

    /// <summary>A key from a fresh random seed.</summary>
    public static OprfServerKey Generate() => new(RandomNumberGenerator.GetBytes(SeedSize), DateTimeOffset.UtcNow);

    /// <summary>A key from a given seed (tests and golden files; real keys come from <see cref="Generate"/>).</summary>
    public static OprfServerKey FromSeed(ReadOnlySpan<byte> seed) =>
        seed.Length == SeedSize ? new OprfServerKey(seed.ToArray(), DateTimeOffset.UnixEpoch) : throw new ArgumentException($"a seed is {SeedSize} bytes", nameof(seed));

    public static string KeyIdOf(ReadOnlySpan<byte> publicKey)
    {
        Span<byte> input = stackalloc byte[KeyIdLabel.Length + publicKey.Length];
        KeyIdLabel.CopyTo(input);
        publicKey.CopyTo(input[KeyIdLabel.Length..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>Server side of a lookup: Z = skS·B.</summary>
    /// <exception cref="OprfInvalidElementException">B is not a canonical, non-identity ristretto255 element.</exception>
    public void BlindEvaluate(ReadOnlySpan<byte> blindedElement, Span<byte> evaluatedElement) =>
        OprfSuite.BlindEvaluate(_privateKey, blindedElement, evaluatedElement);

    /// <summary>The PRF output y = F(skS, input) that a client's lookup of <paramref name="input"/> yields.</summary>
    public void Evaluate(ReadOnlySpan<byte> input, Span<byte> output) => OprfSuite.Evaluate(_privateKey, input, output);
}
