using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy.Tests;

/// <summary>
/// tests/vectors/private-v1.json is shared with the JS client (web/test/private-lookup.test.js): the bucket, the
/// OPRF output and the MIGP entry of docs/private-lookup.md §2–§4, computed here with OprfSuite and .NET's HKDF and
/// there with @noble/curves and WebCrypto, must be the same bytes.
/// </summary>
public class PrivateProtocolVectorsTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "vectors", "private-v1.json"))).RootElement;

    private static byte[] Hex(string name, JsonElement e) => Convert.FromHexString(e.GetProperty(name).GetString()!);

    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors.GetProperty("cases").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void DeriveKeyPair_VectorSeed_GivesVectorKey()
    {
        var keys = OprfSuite.DeriveKeyPair(Hex("seed", Vectors), Encoding.UTF8.GetBytes(Vectors.GetProperty("keyInfo").GetString()!));
        Assert.Equal(Hex("secretKey", Vectors), keys.PrivateKey);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bucket_Vector_IsLeadingBitsOfLabelledSha256(int index)
    {
        var c = Vectors.GetProperty("cases")[index];
        var x = Encoding.UTF8.GetBytes(c.GetProperty("x").GetString()!);
        var bits = c.GetProperty("bucketBits").GetInt32();
        var h = SHA256.HashData([.. "leakwatch/private/v1/bucket"u8, 0, .. x]);
        var top = ((uint)h[0] << 16) | ((uint)h[1] << 8) | h[2];
        Assert.Equal(c.GetProperty("bucket").GetInt32(), bits == 0 ? 0 : (int)(top >> (24 - bits)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_Vector_EqualsClientOutput(int index)
    {
        var c = Vectors.GetProperty("cases")[index];
        var y = OprfSuite.Evaluate(Hex("secretKey", Vectors), Encoding.UTF8.GetBytes(c.GetProperty("x").GetString()!));
        Assert.Equal(Hex("y", c), y);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Entry_Vector_IsKeycheckNonceAndPaddedPlaintext(int index)
    {
        var c = Vectors.GetProperty("cases")[index];
        var y = Hex("y", c);
        var salt = Hex("salt", Vectors);
        var ids = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var entries = c.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(Math.Max(1, (ids.Length + 10) / 11), entries.Length);
        foreach (var e in entries)
        {
            var i = (byte)e.GetProperty("i").GetInt32();
            var nonce = Hex("nonce", e);
            var keycheck = HKDF.DeriveKey(HashAlgorithmName.SHA256, y, 16, salt, [.. "leakwatch/private/v1/keycheck"u8, i]);
            var pad = HKDF.DeriveKey(HashAlgorithmName.SHA256, y, 24, salt, [.. "leakwatch/private/v1/payload"u8, i, .. nonce]);
            Assert.Equal(Hex("keycheck", e), keycheck);
            Assert.Equal(Hex("pad", e), pad);

            var chunk = ids.Skip(i * 11).Take(11).ToArray();
            var plain = new byte[24];
            plain[0] = (byte)chunk.Length;
            plain[1] = (byte)((i + 1) * 11 < ids.Length ? 1 : 0);
            for (var k = 0; k < chunk.Length; k++)
            {
                plain[2 + (2 * k)] = (byte)(chunk[k] >> 8);
                plain[3 + (2 * k)] = (byte)chunk[k];
            }

            Assert.Equal(Hex("plaintext", e), plain);
            var entry = new byte[48];
            keycheck.CopyTo(entry, 0);
            nonce.CopyTo(entry, 16);
            for (var k = 0; k < 24; k++)
            {
                entry[24 + k] = (byte)(plain[k] ^ pad[k]);
            }

            Assert.Equal(Hex("entry", e), entry);
        }
    }
}
