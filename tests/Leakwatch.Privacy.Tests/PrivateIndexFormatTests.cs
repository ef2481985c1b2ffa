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

    /// <summary>Sections for every kind among <paramref name="xs"/>: emails with <paramref name="bits"/>, each calling
    /// code with <paramref name="bits"/> or its plan's bound if lower.</summary>
    public static PrivateLayout LayoutFor(int bits, IEnumerable<string> xs) =>
        new(xs.Select(x => PrivateProtocol.SectionOf(Encoding.UTF8.GetBytes(x))).Append(0).Distinct()
            .Select(code => (code, Math.Min(bits, PrivateProtocol.MaxSectionBits(code)))));

    /// <summary>What the OPRF phase produces for each identifier: its record and its chain of entries.</summary>
    public static (PrivateRecord[] Records, byte[] Chains) Records(OprfServerKey key, byte[] salt, PrivateLayout layout, IEnumerable<string> xs,
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
                Section = (ushort)PrivateProtocol.SectionOf(input),
                Bucket = layout.Bucket(input),
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
    /// whose breach sets (after the plain merge) are <paramref name="sets"/>; returns the real entries written.</summary>
    public static long Write(string path, OprfServerKey key, byte[] salt, PrivateLayout layout, PrivateIndexReader? old,
        IReadOnlyDictionary<string, int[]> sets, IEnumerable<string> indexed, IPrivateRandom random, long generation)
    {
        var byKey = sets.ToDictionary(kv => KeyOf(kv.Key), kv => kv.Value);
        var (records, chains) = Records(key, salt, layout, indexed, byKey, random);
        var assembler = new PrivateBucketAssembler(key, salt, old, random);
        ReadOnlySpan<PrivateRecord> In(long b) => records.Where(r => r.Bucket == b).ToArray();
        (long Stable, long Previous) Ids(long b)
        {
            var s = layout.SectionOfBucket(b);
            var previous = old is not null && old.Layout.TryGetSection(s.Code, out var before) ? before.First + (b - s.First) : -1;
            return (s.StableId(b), previous);
        }

        var fullest = 0;
        for (var b = 0L; b < layout.BucketCount; b++)
        {
            fullest = Math.Max(fullest, assembler.CountReal(Ids(b).Stable, Ids(b).Previous, In(b), chains));
        }

        var entries = PrivateProtocol.BucketEntriesFor(fullest);
        using var writer = new PrivateIndexWriter(path, layout, entries, salt, key, generation, random);
        var buffer = new byte[entries * PrivateProtocol.EntrySize];
        long real = 0;
        for (var b = 0L; b < layout.BucketCount; b++)
        {
            real += assembler.Assemble(Ids(b).Stable, Ids(b).Previous, In(b), chains, entries, buffer);
            writer.WriteBucket(buffer);
        }

        writer.Complete();
        return real;
    }

    /// <summary>The whole client protocol against a file: blind, evaluate with the key, finalize, walk the bucket.</summary>
    public static List<int> Lookup(PrivateIndexReader index, OprfServerKey key, string x)
    {
        var query = PrivateLookupClient.Prepare(Encoding.UTF8.GetBytes(x), index.Layout);
        if (query is null)
        {
            return [];
        }

        var evaluated = new byte[OprfSuite.ElementSize];
        key.BlindEvaluate(query.BlindedElement, evaluated);
        return PrivateLookupClient.Finish(query, evaluated, index.Salt, Decrypted(index, query.Bucket));
    }

    public static byte[] Decrypted(PrivateIndexReader index, long bucket)
    {
        var entries = new byte[index.BucketBytes];
        index.ReadBucket(bucket, entries);
        return entries;
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

    /// <summary>Format v2 byte for byte: a fixed seed, salt and random source give exactly Golden/private-v2.lwp.
    /// Set LEAKWATCH_UPDATE_GOLDEN=1 to rewrite it after an intended format change (and bump the version).</summary>
    [Fact]
    public void Writer_FixedInputs_MatchesGoldenFileAndGoldenFileAnswersLookups()
    {
        var key = OprfServerKey.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        var salt = Enumerable.Repeat((byte)2, 32).ToArray();
        var path = Path.Combine(_dir, "golden.lwp");
        var real = PrivateIndexBuild.Write(path, key, salt, PrivateIndexBuild.LayoutFor(1, GoldenSets.Keys), null, GoldenSets, GoldenSets.Keys,
            new SeededRandom(7), generation: 1);

        var golden = Path.Combine(GoldenDir(), "private-v2.lwp");
        if (Environment.GetEnvironmentVariable("LEAKWATCH_UPDATE_GOLDEN") == "1")
        {
            File.Copy(path, golden, overwrite: true);
            // A test that compares a file with itself proves nothing: the run that writes it must not pass.
            Assert.Fail("golden file regenerated; review it and rerun without LEAKWATCH_UPDATE_GOLDEN");
        }

        Assert.True(File.Exists(golden), $"missing {golden}; run with LEAKWATCH_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllBytes(golden), File.ReadAllBytes(path));

        using var index = PrivateIndexReader.Open(golden, key);
        Assert.Empty(index.Verify());
        Assert.Equal(5, real);
        Assert.Equal((16, key.KeyId, 1L), (index.BucketEntries, index.KeyId, index.Generation));
        Assert.Equal([(0, 1), (1, 1), (44, 1)], index.Layout.Sections.Select(s => (s.Code, s.Bits)));
        Assert.Equal(salt, index.Salt.ToArray());
        foreach (var (x, set) in GoldenSets)
        {
            Assert.Equal(set, PrivateIndexBuild.Lookup(index, key, x));
        }

        Assert.Empty(PrivateIndexBuild.Lookup(index, key, "email:absent@example.com"));
        Assert.Empty(PrivateIndexBuild.Lookup(index, key, "phone:+33612345678")); // no +33 section: not found, nothing asked
    }

    /// <summary>A file of format 1 (Golden/private-v1.lwp, written by the previous release) is refused with one line
    /// saying how to rebuild.</summary>
    [Fact]
    public void Reader_FormatOneFile_RefusedWithRebuildMessage()
    {
        var e = Assert.Throws<PrivateIndexException>(() => PrivateIndexReader.Open(Path.Combine(GoldenDir(), "private-v1.lwp"), null));
        Assert.Contains("format 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("`leakwatch private build", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
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
        var layout = PrivateIndexBuild.LayoutFor(2, inA);
        PrivateIndexBuild.Write(first, key, salt, layout, null, sets, inA, SecurePrivateRandom.Instance, 1);
        using var g1 = PrivateIndexReader.Open(first, key);

        foreach (var x in inB)
        {
            sets[x] = sets.ContainsKey(x) ? [1, 2] : [2];
        }

        var real = PrivateIndexBuild.Write(second, key, salt, layout, g1, sets, inB, SecurePrivateRandom.Instance, 2);
        using var g2 = PrivateIndexReader.Open(second, key);
        Assert.Empty(g2.Verify());
        Assert.Equal(350, real);
        foreach (var x in inA.Concat(inB).Distinct())
        {
            Assert.Equal(sets[x], PrivateIndexBuild.Lookup(g2, key, x));
        }

        // Entries of identifiers B did not touch are carried over unchanged; per bucket, the two generations differ
        // in exactly as many entries as B added or replaced (when bucketEntries stays the same).
        static HashSet<string> Entries(PrivateIndexReader r, int b) =>
            Enumerable.Range(0, r.BucketEntries).Select(j => Convert.ToHexString(PrivateIndexBuild.Decrypted(r, b).AsSpan(j * 48, 48))).ToHashSet();
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
        var layout = PrivateIndexBuild.LayoutFor(0, inA);
        PrivateIndexBuild.Write(first, key, salt, layout, null, sets, inA, SecurePrivateRandom.Instance, 1);
        using var g1 = PrivateIndexReader.Open(first, key);
        foreach (var x in inB)
        {
            sets[x] = sets.ContainsKey(x) ? [1, 2] : [2];
        }

        var second = Path.Combine(_dir, "big2.lwp");
        var real = PrivateIndexBuild.Write(second, key, salt, layout, g1, sets, inB, SecurePrivateRandom.Instance, 2);
        using var g2 = PrivateIndexReader.Open(second, key);
        Assert.Equal(2_250, real);
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
        var layout = PrivateIndexBuild.LayoutFor(0, sets.Keys);
        var real = PrivateIndexBuild.Write(first, key, salt, layout, null, sets, sets.Keys, SecurePrivateRandom.Instance, 1);
        using var g1 = PrivateIndexReader.Open(first, key);
        Assert.Equal(4, real); // 3 entries for 25 breaches, 1 for y
        Assert.Equal(sets["email:x@example.com"], PrivateIndexBuild.Lookup(g1, key, "email:x@example.com"));

        sets["email:x@example.com"] = [2, 30];
        var second = Path.Combine(_dir, "c2.lwp");
        real = PrivateIndexBuild.Write(second, key, salt, layout, g1, sets, ["email:x@example.com"], SecurePrivateRandom.Instance, 2);
        using var g2 = PrivateIndexReader.Open(second, key);
        Assert.Equal(2, real);
        Assert.Equal([2, 30], PrivateIndexBuild.Lookup(g2, key, "email:x@example.com"));
        Assert.Equal([3], PrivateIndexBuild.Lookup(g2, key, "email:y@example.com"));
    }

    [Fact]
    public void Reader_FlippedEntryByte_VerifyReportsChecksum()
    {
        var key = OprfServerKey.Generate();
        var path = Path.Combine(_dir, "flip.lwp");
        PrivateIndexBuild.Write(path, key, RandomNumberGenerator.GetBytes(32), PrivateIndexBuild.LayoutFor(1, GoldenSets.Keys), null, GoldenSets,
            GoldenSets.Keys, SecurePrivateRandom.Instance, 1);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        using (var index = PrivateIndexReader.Open(path, null))
        {
            Assert.Contains(index.Verify(), p => p.Contains("checksum", StringComparison.Ordinal)); // caught without the key
        }

        bytes[^5] ^= 0x40;
        bytes[PrivateIndexFormat.HeaderSize] ^= 1; // section table
        File.WriteAllBytes(path, bytes);
        Assert.Throws<PrivateIndexException>(() => PrivateIndexReader.Open(path, null).Dispose());

        bytes[PrivateIndexFormat.HeaderSize] ^= 1;
        bytes[20] ^= 1; // header
        File.WriteAllBytes(path, bytes);
        Assert.Throws<PrivateIndexException>(() => PrivateIndexReader.Open(path, null).Dispose());
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
