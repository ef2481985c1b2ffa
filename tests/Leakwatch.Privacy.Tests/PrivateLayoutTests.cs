using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Privacy.Tests;

public sealed class PrivateLayoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-layout-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<int> CallingCodes() => [.. NumberingPlans.CallingCodes];

    /// <summary>For every calling code: at its bound, a bucket holds ≥ 10,000 of the plan's possible numbers (or the
    /// whole plan, when it is smaller); one bit more would not, and a layout asking for it is refused.</summary>
    [Theory]
    [MemberData(nameof(CallingCodes))]
    public void MaxSectionBits_EveryCallingCode_BucketHoldsTenThousandPossibleNumbers(int code)
    {
        var plan = NumberingPlans.PossibleNumbers(code);
        var bits = PrivateProtocol.MaxSectionBits(code);
        Assert.InRange(bits, 0, PrivateProtocol.MaxBucketBits);
        if (bits > 0)
        {
            Assert.True(plan >> bits >= PrivateProtocol.MinPhoneCrowd, $"+{code}: {plan} numbers over 2^{bits} buckets");
        }

        if (bits < PrivateProtocol.MaxBucketBits)
        {
            Assert.True(plan >> (bits + 1) < PrivateProtocol.MinPhoneCrowd, $"+{code}: bound {bits} is not the largest");
            var e = Assert.Throws<PrivateIndexException>(() => PrivateLookupClient.ReadLayout([(0, 10), (code, bits + 1)]));
            Assert.Contains($"+{code}", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(bits, PrivateLookupClient.ReadLayout([(code, bits)]).Sections[0].Bits);
    }

    /// <summary>The crowd itself, counted exactly for a small plan: every 6-digit Faroese number the normalizer accepts,
    /// filed by the private protocol at the +298 bound. Every bucket holds at least 10,000 of them, and the table's
    /// estimate of the plan is within 2% of the count.</summary>
    [Fact]
    public void Crowd_FaroeIslandsAtItsBound_EveryBucketHoldsTenThousandValidNumbers()
    {
        var bits = PrivateProtocol.MaxSectionBits(298);
        Assert.True(bits >= 4, $"bound {bits}");
        var layout = new PrivateLayout([(0, 0), (298, bits)]);
        Assert.True(layout.TryGetSection(298, out var section));
        var phones = new PhoneNormalizer(null);
        var perBucket = new long[1 << bits];
        var input = new byte[PrivateProtocol.MaxInputLength];
        long valid = 0;
        for (var n = 0; n < 1_000_000; n++)
        {
            if (!phones.TryNormalize($"+298{n:D6}", out var e164))
            {
                continue;
            }

            valid++;
            var length = PrivateProtocol.WritePhoneInput(e164, input);
            perBucket[layout.Bucket(input.AsSpan(0, length)) - section.First]++;
        }

        Assert.True(perBucket.Min() >= PrivateProtocol.MinPhoneCrowd, $"smallest bucket holds {perBucket.Min()}");
        Assert.InRange(NumberingPlans.PossibleNumbers(298), valid * 0.98, valid * 1.02);
    }

    [Fact]
    public void Layout_SectionsNumberedConsecutivelyInCodeOrder()
    {
        var layout = new PrivateLayout([(354, 3), (0, 2), (1, 4)]);
        Assert.Equal([(0, 2, 0L), (1, 4, 4L), (354, 3, 20L)], layout.Sections.Select(s => (s.Code, s.Bits, s.First)));
        Assert.Equal(28, layout.BucketCount);
        Assert.Equal(354, layout.SectionOfBucket(27).Code);
        Assert.Equal(1, layout.SectionOfBucket(4).Code);
        var phone = Encoding.UTF8.GetBytes("phone:+3545512345");
        Assert.Equal(354, PrivateProtocol.SectionOf(phone));
        Assert.Equal(20 + PrivateProtocol.Bucket(phone, 3), layout.Bucket(phone));
        Assert.Equal(-1, layout.Bucket(Encoding.UTF8.GetBytes("phone:+447911123456")));
        Assert.Throws<PrivateIndexException>(() => new PrivateLayout([(0, 25)]));
        Assert.Throws<PrivateIndexException>(() => new PrivateLayout([(999, 0)]));
    }

    /// <summary>Encryption at rest: a key that did not write the file is refused by the key check, even one whose key
    /// id is forged to match, and a header nonce changed (header checksum recomputed) fails it too.</summary>
    [Fact]
    public void Reader_WrongKeyOrTamperedNonce_RefusedByKeyCheck()
    {
        var key = OprfServerKey.Generate();
        var sets = new Dictionary<string, int[]> { ["email:a@example.com"] = [1], ["phone:+3545512345"] = [2] };
        var path = Path.Combine(_dir, "k.lwp");
        PrivateIndexBuild.Write(path, key, RandomNumberGenerator.GetBytes(32), PrivateIndexBuild.LayoutFor(2, sets.Keys), null, sets, sets.Keys,
            SecurePrivateRandom.Instance, 1);
        using (var good = PrivateIndexReader.Open(path, key))
        {
            Assert.Equal([2], PrivateIndexBuild.Lookup(good, key, "phone:+3545512345"));
        }

        var other = OprfServerKey.Generate();
        var e = Assert.Throws<PrivateIndexException>(() => PrivateIndexReader.Open(path, other).Dispose());
        Assert.Contains("key check", e.Message, StringComparison.Ordinal);

        // Forge the other key's id into the header (checksum fixed up): the HMAC still tells the keys apart.
        var bytes = File.ReadAllBytes(path);
        Convert.FromHexString(other.KeyId).CopyTo(bytes, 56);
        FixHeaderChecksum(bytes);
        File.WriteAllBytes(path, bytes);
        Assert.Throws<PrivateIndexException>(() => PrivateIndexReader.Open(path, other).Dispose());

        bytes = File.ReadAllBytes(path);
        Convert.FromHexString(key.KeyId).CopyTo(bytes, 56);
        bytes[100] ^= 1; // the cipher nonce
        FixHeaderChecksum(bytes);
        File.WriteAllBytes(path, bytes);
        Assert.Throws<PrivateIndexException>(() => PrivateIndexReader.Open(path, key).Dispose());
        using var keyless = PrivateIndexReader.Open(path, null); // without the key only checksums can be verified
        Assert.Empty(keyless.Verify());
        Assert.False(keyless.CanDecrypt);
    }

    private static void FixHeaderChecksum(byte[] bytes) =>
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(PrivateIndexFormat.HeaderChecksummedBytes),
            XxHash64.HashToUInt64(bytes.AsSpan(0, PrivateIndexFormat.HeaderChecksummedBytes)));
}
