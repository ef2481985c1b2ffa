using System.Security.Cryptography;
using FsCheck.Xunit;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Privacy.Tests;

public class PrivateEntryCodecTests
{
    private static byte[] Sized(byte[]? bytes, int length)
    {
        var result = new byte[length];
        (bytes ?? []).AsSpan(0, Math.Min(length, bytes?.Length ?? 0)).CopyTo(result);
        return result;
    }

    private static byte[] Prk(byte[] y, byte[] salt)
    {
        var prk = new byte[PrivateEntryCodec.PrkSize];
        PrivateEntryCodec.DerivePrk(y, salt, prk);
        return prk;
    }

    [Property(MaxTest = 300)]
    public bool EncodeDecode_RandomEntry_RoundTrips(byte[] yBytes, byte[] saltBytes, byte i, ulong nonceValue, ushort[] idArray, bool more)
    {
        var prk = Prk(Sized(yBytes, 64), Sized(saltBytes, 32));
        var nonce = BitConverter.GetBytes(nonceValue);
        var ids = (idArray ?? []).Take(PrivateProtocol.IdsPerEntry).ToArray();
        var entry = new byte[PrivateProtocol.EntrySize];
        PrivateEntryCodec.Encode(prk, i, nonce, ids, more, entry);

        var keycheck = new byte[16];
        PrivateEntryCodec.Keycheck(prk, i, keycheck);
        var decoded = new ushort[PrivateProtocol.IdsPerEntry];
        var ok = PrivateEntryCodec.TryDecode(prk, i, entry, decoded, out var count, out var decodedMore);
        return ok && count == ids.Length && decodedMore == more && decoded.AsSpan(0, count).SequenceEqual(ids)
            && entry.AsSpan(0, 16).SequenceEqual(keycheck) && entry.AsSpan(16, 8).SequenceEqual(nonce);
    }

    [Property(MaxTest = 200)]
    public bool Keycheck_OtherIndexOrOtherY_Differs(byte[] yBytes, byte[] saltBytes, byte i, byte j)
    {
        var y = Sized(yBytes, 64);
        var salt = Sized(saltBytes, 32);
        var a = new byte[16];
        var b = new byte[16];
        PrivateEntryCodec.Keycheck(Prk(y, salt), i, a);
        PrivateEntryCodec.Keycheck(Prk(y, salt), j, b);
        var otherY = (byte[])y.Clone();
        otherY[0] ^= 1;
        var c = new byte[16];
        PrivateEntryCodec.Keycheck(Prk(otherY, salt), i, c);
        return (i == j) == a.AsSpan().SequenceEqual(b) && !a.AsSpan().SequenceEqual(c);
    }

    /// <summary>The doc says WebCrypto deriveBits and .NET HKDF.DeriveKey compute keycheck and pad: one-shot HKDF
    /// (extract then expand) over the documented info strings gives what the codec writes.</summary>
    [Fact]
    public void Entry_MatchesOneShotHkdfOfTheDocumentedInfoStrings()
    {
        var y = RandomNumberGenerator.GetBytes(64);
        var salt = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(8);
        ushort[] ids = [1, 513, 65535];
        var entry = new byte[48];
        PrivateEntryCodec.Encode(Prk(y, salt), 3, nonce, ids, more: true, entry);

        var keycheck = HKDF.DeriveKey(HashAlgorithmName.SHA256, y, 16, salt, [.. "leakwatch/private/v1/keycheck"u8, 3]);
        var pad = HKDF.DeriveKey(HashAlgorithmName.SHA256, y, 24, salt, [.. "leakwatch/private/v1/payload"u8, 3, .. nonce]);
        byte[] plain = [3, 1, 0, 1, 2, 1, 255, 255, .. new byte[16]];
        Assert.Equal(keycheck, entry[..16]);
        Assert.Equal(nonce, entry[16..24]);
        Assert.Equal(plain, entry[24..].Select((c, k) => (byte)(c ^ pad[k])).ToArray());
    }

    [Fact]
    public void Dummy_RecognisedOnlyWithItsKeyAndBucket()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var entry = new byte[48];
        PrivateEntryCodec.WriteDummy(key, 5, SecurePrivateRandom.Instance, entry);
        Assert.True(PrivateEntryCodec.IsDummy(key, 5, entry));
        Assert.False(PrivateEntryCodec.IsDummy(key, 6, entry));
        Assert.False(PrivateEntryCodec.IsDummy(RandomNumberGenerator.GetBytes(16), 5, entry));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(724, 0)]
    [InlineData(725, 1)]
    [InlineData(1_000_000, 11)]
    [InlineData(1_200_000_000, 21)]
    [InlineData(long.MaxValue, 24)]
    public void BucketBitsFor_IdentifierCount_IsRoundedLog2OfCountOver512(long n, int bits) =>
        Assert.Equal(bits, PrivateProtocol.BucketBitsFor(n));

    [Fact]
    public void Bucket_IsTopBitsOfSha256OfLabelZeroAndInput()
    {
        var x = "phone:+447911123456"u8.ToArray();
        var h = SHA256.HashData([.. "leakwatch/private/v1/bucket"u8, 0, .. x]);
        Assert.Equal(0, PrivateProtocol.Bucket(x, 0));
        Assert.Equal(h[0] >> 5, PrivateProtocol.Bucket(x, 3));
        Assert.Equal((h[0] << 16 | h[1] << 8 | h[2]), PrivateProtocol.Bucket(x, 24));
    }

    [Fact]
    public void Inputs_HaveTheDocumentedPrefixes()
    {
        var buffer = new byte[PrivateProtocol.MaxInputLength];
        var n = PrivateProtocol.WritePhoneInput(447911123456, buffer);
        Assert.Equal("phone:+447911123456"u8.ToArray(), buffer[..n]);
        n = PrivateProtocol.WriteEmailInput("someone@xn--bcher-kva.example", buffer);
        Assert.Equal("email:someone@xn--bcher-kva.example"u8.ToArray(), buffer[..n]);
        var phones = new Leakwatch.Core.PhoneNormalizer("GB");
        Assert.Equal("phone:+447911123456"u8.ToArray(), PrivateLookupClient.TryCanonicalize("07911 123456", phones));
        Assert.Equal("email:someone@example.com"u8.ToArray(), PrivateLookupClient.TryCanonicalize(" SomeOne@Example.COM ", phones));
        Assert.Null(PrivateLookupClient.TryCanonicalize("not an account", phones));
    }
}
