using System.Security.Cryptography;
using System.Text;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy.Tests;

/// <summary>A seeded random source: same seed, same nonces and dummies, so a build is byte-reproducible.</summary>
internal sealed class SeededRandom(int seed) : IPrivateRandom
{
    private readonly Random _random = new(seed);

    public void Fill(Span<byte> destination) => _random.NextBytes(destination);

    public int Next(int maxExclusive) => _random.Next(maxExclusive);
}

/// <summary>Builds small private indexes in memory-sized steps, as the builder does, with a stand-in exposure index.</summary>
internal static class PrivateIndexBuild
{
    /// <summary>A stand-in for the exposure-index key of an identifier (the real one is keyed SipHash).</summary>
    public static UInt128 KeyOf(string x) => new(BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(x))), 0);

    /// <summary>What the OPRF phase produces for each identifier: its record and its chain of entries.</summary>
    public static (PrivateRecord[] Records, byte[] Chains) Records(OprfServerKey key, byte[] salt, IEnumerable<string> xs,
        IReadOnlyDictionary<UInt128, int[]> byKey, IPrivateRandom random)
    {
        var records = new List<PrivateRecord>();
        var chains = new List<byte>();
        var buffer = new byte[PrivateChain.MaxSize];
        var y = new byte[OprfSuite.OutputSize];
        foreach (var x in xs)
        {
            var input = Encoding.UTF8.GetBytes(x);
            var k = KeyOf(x);
            key.Evaluate(input, y);
            var length = PrivateChain.Encode(y, salt, byKey.GetValueOrDefault(k, []), random, buffer);
            records.Add(new PrivateRecord
            {
                BucketHash = PrivateProtocol.BucketHash(input),
                KeyHigh = (ulong)(k >> 64),
                KeyLow = (ulong)k,
                ChainOffset = chains.Count,
                ChainLength = length,
            });
            chains.AddRange(buffer.AsSpan(0, length));
        }

        var array = records.ToArray();
        Array.Sort(array, PrivateRecord.Compare);
        return (array, chains.ToArray());
    }

    /// <summary>Writes generation <paramref name="generation"/> from <paramref name="old"/> plus the identifiers given,
    /// whose breach sets (after the plain merge) are <paramref name="sets"/>.</summary>
    public static void Write(string path, OprfServerKey key, byte[] salt, int bucketBits, PrivateIndexReader? old,
        IReadOnlyDictionary<string, int[]> sets, IEnumerable<string> indexed, IPrivateRandom random, long generation)
    {
        var byKey = sets.ToDictionary(kv => KeyOf(kv.Key), kv => kv.Value);
        var (records, chains) = Records(key, salt, indexed, byKey, random);
        var assembler = new PrivateBucketAssembler(key, salt, bucketBits, old, random);
        var buckets = 1 << bucketBits;
        ReadOnlySpan<PrivateRecord> In(int b) => records.Where(r => PrivateProtocol.BucketOf(r.BucketHash, bucketBits) == b).ToArray();
        var fullest = 0;
        for (var b = 0; b < buckets; b++)
        {
            fullest = Math.Max(fullest, assembler.CountReal(b, In(b), chains));
        }

        var entries = PrivateProtocol.BucketEntriesFor(fullest);
        using var writer = new PrivateIndexWriter(path, bucketBits, entries, salt, key.KeyId, generation);
        var buffer = new byte[entries * PrivateProtocol.EntrySize];
        long real = 0;
        for (var b = 0; b < buckets; b++)
        {
            real += assembler.Assemble(b, In(b), chains, entries, buffer);
            writer.WriteBucket(buffer);
        }

        writer.Complete(real);
    }

    /// <summary>The whole client protocol against a file: blind, evaluate with the key, finalize, walk the bucket.</summary>
    public static List<int> Lookup(PrivateIndexReader index, OprfServerKey key, string x)
    {
        var query = PrivateLookupClient.Prepare(Encoding.UTF8.GetBytes(x), index.BucketBits);
        var evaluated = new byte[OprfSuite.ElementSize];
        key.BlindEvaluate(query.BlindedElement, evaluated);
        return PrivateLookupClient.Finish(query, evaluated, index.Salt, index.Bucket(query.Bucket));
    }
}

public sealed class PrivateIndexFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-private-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, int[]> GoldenSets = new()
    {
        ["email:alice@example.com"] = [1],
        ["phone:+447911123456"] = [1, 2],
        ["email:many@example.com"] = [.. Enumerable.Range(1, 13)],
        ["phone:+12125550123"] = [2],
    };

    private static string GoldenDir([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    /// <summary>Format v1 byte for byte: a fixed seed, salt and random source give exactly Golden/private-v1.lwp.
    /// Set LEAKWATCH_UPDATE_GOLDEN=1 to rewrite it after an intended format change (and bump the version).</summary>
    [Fact]
    public void Writer_FixedInputs_MatchesGoldenFileAndGoldenFileAnswersLookups()
    {
        var key = OprfServerKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        var salt = Enumerable.Repeat((byte)2, 32).ToArray();
        var path = Path.Combine(_dir, "golden.lwp");
        PrivateIndexBuild.Write(path, key, salt, 1, null, GoldenSets, GoldenSets.Keys, new SeededRandom(7), generation: 1);

        var golden = Path.Combine(GoldenDir(), "private-v1.lwp");
        if (Environment.GetEnvironmentVariable("LEAKWATCH_UPDATE_GOLDEN") == "1")
        {
            File.Copy(path, golden, overwrite: true);
            // A test that compares a file with itself proves nothing: the run that writes it must not pass.
            Assert.Fail("golden file regenerated; review it and rerun without LEAKWATCH_UPDATE_GOLDEN");
        }

        Assert.True(File.Exists(golden), $"missing {golden}; run with LEAKWATCH_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllBytes(golden), File.ReadAllBytes(path));

        using var index = PrivateIndexReader.Open(golden);
        Assert.Empty(index.Verify());
        Assert.Equal((1, 16, key.KeyId, 1L, 5L), (index.BucketBits, index.BucketEntries, index.KeyId, index.Generation, index.RealEntries));
        Assert.Equal(salt, index.Salt.ToArray());
        foreach (var (x, set) in GoldenSets)
        {
            Assert.Equal(set, PrivateIndexBuild.Lookup(index, key, x));
        }

        Assert.Empty(PrivateIndexBuild.Lookup(index, key, "email:absent@example.com"));
        Assert.Empty(PrivateIndexBuild.Lookup(index, OprfServerKey.FromSeed(new byte[32]), "email:alice@example.com"));
    }

    [Fact]
    public void Merge_SecondBreach_SharedIdentifierListsBothOthersCarriedOverByteForByte()
    {
        var key = OprfServerKey.Generate();
        var salt = RandomNumberGenerator.GetBytes(32);
        var first = Path.Combine(_dir, "g1.lwp");
        var second = Path.Combine(_dir, "g2.lwp");
        var inA = Enumerable.Range(0, 300).Select(i => $"email:a{i}@example.com").ToList();
        var inB = Enumerable.Range(250, 100).Select(i => $"email:a{i}@example.com").ToList(); // 50 shared
        var sets = inA.ToDictionary(x => x, _ => new[] { 1 });
        PrivateIndexBuild.Write(first, key, salt, 2, null, sets, inA, SecurePrivateRandom.Instance, 1);
        using var g1 = PrivateIndexReader.Open(first);

        foreach (var x in inB)
        {
            sets[x] = sets.ContainsKey(x) ? [1, 2] : [2];
        }

        PrivateIndexBuild.Write(second, key, salt, 2, g1, sets, inB, SecurePrivateRandom.Instance, 2);
        using var g2 = PrivateIndexReader.Open(second);
        Assert.Empty(g2.Verify());
        Assert.Equal(350, g2.RealEntries);
        foreach (var x in inA.Concat(inB).Distinct())
        {
            Assert.Equal(sets[x], PrivateIndexBuild.Lookup(g2, key, x));
        }

        // Entries of identifiers B did not touch are carried over unchanged; per bucket, the two generations differ
        // in exactly as many entries as B added or replaced (when bucketEntries stays the same).
        static HashSet<string> Entries(PrivateIndexReader r, int b) =>
            Enumerable.Range(0, r.BucketEntries).Select(j => Convert.ToHexString(r.Bucket(b).Slice(j * 48, 48))).ToHashSet();
        for (var b = 0; b < 4; b++)
        {
            var before = Entries(g1, b);
            var after = Entries(g2, b);
            var touched = inB.Count(x => PrivateProtocol.Bucket(Encoding.UTF8.GetBytes(x), 2) == b);
            if (g1.BucketEntries == g2.BucketEntries)
            {
                Assert.Equal(touched, after.Except(before).Count());
            }
            else
            {
                Assert.True(after.Except(before).Count() >= touched);
            }
        }
    }

    /// <summary>Regression: a bucket receiving more new entries than the assembler's first scratch buffer holds
    /// (1,365) lost the earlier ones when the buffer grew.</summary>
    [Fact]
    public void Merge_ThousandsOfNewEntriesInOneBucket_AllFound()
    {
        var key = OprfServerKey.Generate();
        var salt = RandomNumberGenerator.GetBytes(32);
        var inA = Enumerable.Range(0, 500).Select(i => $"phone:+4479111{i:D5}").ToList();
        var inB = Enumerable.Range(250, 2_000).Select(i => $"phone:+4479111{i:D5}").ToList();
        var sets = inA.ToDictionary(x => x, _ => new[] { 1 });
        var first = Path.Combine(_dir, "big1.lwp");
        PrivateIndexBuild.Write(first, key, salt, 0, null, sets, inA, SecurePrivateRandom.Instance, 1);
        using var g1 = PrivateIndexReader.Open(first);
        foreach (var x in inB)
        {
            sets[x] = sets.ContainsKey(x) ? [1, 2] : [2];
        }

        var second = Path.Combine(_dir, "big2.lwp");
        PrivateIndexBuild.Write(second, key, salt, 0, g1, sets, inB, SecurePrivateRandom.Instance, 2);
        using var g2 = PrivateIndexReader.Open(second);
        Assert.Equal(2_250, g2.RealEntries);
        foreach (var x in inA.Concat(inB).Distinct().Where((_, i) => i % 7 == 0))
        {
            Assert.Equal(sets[x], PrivateIndexBuild.Lookup(g2, key, x));
        }
    }

    [Fact]
    public void Merge_IdentifierLosingBreaches_OldChainRemovedWhole()
    {
        var key = OprfServerKey.Generate();
        var salt = RandomNumberGenerator.GetBytes(32);
        var sets = new Dictionary<string, int[]> { ["email:x@example.com"] = [.. Enumerable.Range(1, 25)], ["email:y@example.com"] = [3] };
        var first = Path.Combine(_dir, "c1.lwp");
        PrivateIndexBuild.Write(first, key, salt, 0, null, sets, sets.Keys, SecurePrivateRandom.Instance, 1);
        using var g1 = PrivateIndexReader.Open(first);
        Assert.Equal(4, g1.RealEntries); // 3 entries for 25 breaches, 1 for y
        Assert.Equal(sets["email:x@example.com"], PrivateIndexBuild.Lookup(g1, key, "email:x@example.com"));

        sets["email:x@example.com"] = [2, 30];
        var second = Path.Combine(_dir, "c2.lwp");
        PrivateIndexBuild.Write(second, key, salt, 0, g1, sets, ["email:x@example.com"], SecurePrivateRandom.Instance, 2);
        using var g2 = PrivateIndexReader.Open(second);
        Assert.Equal(2, g2.RealEntries);
        Assert.Equal([2, 30], PrivateIndexBuild.Lookup(g2, key, "email:x@example.com"));
        Assert.Equal([3], PrivateIndexBuild.Lookup(g2, key, "email:y@example.com"));
    }

    [Fact]
    public void Reader_FlippedEntryByte_VerifyReportsChecksum()
    {
        var key = OprfServerKey.Generate();
        var path = Path.Combine(_dir, "flip.lwp");
        PrivateIndexBuild.Write(path, key, RandomNumberGenerator.GetBytes(32), 1, null, GoldenSets, GoldenSets.Keys, SecurePrivateRandom.Instance, 1);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        using var index = PrivateIndexReader.Open(path);
        Assert.Contains(index.Verify(), p => p.Contains("checksum", StringComparison.Ordinal));

        bytes[20] ^= 1; // header
        File.WriteAllBytes(path, bytes);
        Assert.Throws<PrivateIndexException>(() => PrivateIndexReader.Open(path).Dispose());
    }

    [Fact]
    public void SealedFile_RoundTripsAndRefusesTamperingTruncationAndOtherBuilds()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var build = RandomNumberGenerator.GetBytes(16);
        var path = Path.Combine(_dir, "spill.lws");
        using (var w = new SealedFileWriter(path, key, build, 7, frameSize: 100))
        {
            for (var i = 0; i < 50; i++)
            {
                w.Append(Encoding.ASCII.GetBytes($"record-{i:D3}"));
            }

            w.Complete(durable: true);
        }

        Assert.DoesNotContain("record-", Encoding.ASCII.GetString(File.ReadAllBytes(path)), StringComparison.Ordinal);
        var text = new StringBuilder();
        using (var r = new SealedFileReader(path, key, build, 7))
        {
            while (r.TryReadFrame(out var frame))
            {
                text.Append(Encoding.ASCII.GetString(frame));
            }
        }

        Assert.Equal(string.Concat(Enumerable.Range(0, 50).Select(i => $"record-{i:D3}")), text.ToString());
        Assert.Throws<SealedFileException>(() => new SealedFileReader(path, key, RandomNumberGenerator.GetBytes(16), 7));
        Assert.Throws<SealedFileException>(() => new SealedFileReader(path, key, build, 8));

        static void ReadAll(string p, byte[] k, byte[] b)
        {
            using var r = new SealedFileReader(p, k, b, 7);
            while (r.TryReadFrame(out _))
            {
            }
        }

        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^40]);
        Assert.Throws<SealedFileException>(() => ReadAll(path, key, build));
        bytes[100] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.Throws<SealedFileException>(() => ReadAll(path, key, build));
    }
}
