using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Leakwatch.Passwords.Tests;

public class IngestTests
{
    private static readonly string[] HotPrefixes = ["00000", "5BAA6", "ABCDE", "FFFFF", "21BD1"];

    [Fact]
    public void Run_MixedLineEndingsDuplicatesAcrossFilesAndIngests_CountsAddUp()
    {
        using var tmp = new TempDir();
        var rng = new Random(7);
        var hashes = Support.RandomHashes(rng, 3000, 40, HotPrefixes);
        var all = new List<string>();
        string MakeFile(string name, int lines)
        {
            var sb = new StringBuilder();
            for (var i = 0; i < lines; i++)
            {
                var h = hashes[rng.Next(hashes.Count)];
                h = rng.Next(2) == 0 ? h : h.ToLowerInvariant();
                var line = $"{h}:{rng.Next(1, 5000)}";
                all.Add(line);
                sb.Append(line).Append(rng.Next(2) == 0 ? "\r\n" : "\n");
            }

            return tmp.Write(name, sb.ToString());
        }

        var a = MakeFile("a.txt", 2500);
        var b = MakeFile("b.txt", 2500);
        var first = PasswordIngest.Run(tmp.DataDir, [a, b], PasswordInputMode.Auto, Support.TinyRuns);
        Assert.Equal("sha1", first.Mode);
        Assert.Equal(5000, first.ValidLines);
        Assert.True(first.SpilledRuns > 2);

        var c = MakeFile("c.txt", 2000);
        var second = PasswordIngest.Run(tmp.DataDir, [c], PasswordInputMode.Sha1, Support.TinyRuns);
        Assert.Equal(2, second.Generation);

        var reference = Support.Reference(all);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        Assert.Equal(reference.Count, store.Count(PasswordHashMode.Sha1));
        Assert.Equal(0, store.Count(PasswordHashMode.Ntlm));
        var prefixes = new HashSet<string>(reference.Keys.Select(k => k[..5])) { "12345", "abcde", "5baa6" };
        foreach (var p in prefixes)
        {
            Assert.Equal(Support.ReferenceRange(reference, p), Support.Range(store, PasswordHashMode.Sha1, p));
        }

        Assert.Empty(store.FileFor(PasswordHashMode.Sha1)!.Verify());
    }

    [Fact]
    public void WriteRange_Ntlm_MatchesReferenceAndReturnsLineCount()
    {
        using var tmp = new TempDir();
        var rng = new Random(11);
        var lines = Support.RandomHashes(rng, 2000, 32, HotPrefixes).Select(h => $"{h}:{rng.Next(1, 100)}").ToList();
        var f = tmp.Write("ntlm.txt", string.Join("\n", lines));
        var stats = PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Auto, Support.TinyRuns);
        Assert.Equal("ntlm", stats.Mode);
        var reference = Support.Reference(lines);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        foreach (var p in HotPrefixes)
        {
            var w = new ArrayBufferWriter<byte>();
            var n = store.WriteRange(PasswordHashMode.Ntlm, p.ToLowerInvariant(), w);
            var expected = Support.ReferenceRange(reference, p);
            Assert.Equal(expected, Encoding.ASCII.GetString(w.WrittenSpan));
            Assert.Equal(expected.Split("\r\n").Length, n);
            Assert.All(expected.Split("\r\n"), l => Assert.Equal(27, l.IndexOf(':')));
        }
    }

    [Fact]
    public void WriteRange_PrefixWithoutHashes_EmptyBody()
    {
        using var tmp = new TempDir();
        var f = tmp.Write("one.txt", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n");
        PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Auto);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        var w = new ArrayBufferWriter<byte>();
        Assert.Equal(0, store.WriteRange(PasswordHashMode.Sha1, "00000", w));
        Assert.Equal(0, w.WrittenCount);
        Assert.Equal(0, store.WriteRange(PasswordHashMode.Ntlm, "5BAA6", w));
        Assert.Equal(0, w.WrittenCount);
        Assert.Equal("1E4C9B93F3F0682250B6CF8331B7EE68FD8:3", Support.Range(store, PasswordHashMode.Sha1, "5baa6"));
    }

    [Fact]
    public void Open_NothingIngested_ReturnsNull()
    {
        using var tmp = new TempDir();
        Assert.Null(PasswordRangeStore.Open(tmp.DataDir));
    }

    [Fact]
    public void Run_PlainMode_StoresSha1AndNtlmOfEachOccurrence()
    {
        using var tmp = new TempDir();
        var f = tmp.Write("plain.txt", "password\r\nletmein\npassword\n\npässwörd\npassword");
        var stats = PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Plain);
        Assert.Equal(5, stats.ValidLines);
        Assert.Equal(1, stats.BlankLines);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        Assert.Contains("1E4C9B93F3F0682250B6CF8331B7EE68FD8:3", Support.Range(store, PasswordHashMode.Sha1, "5BAA6").Split("\r\n"));
        Assert.Contains("7EAEE8FB117AD06BDD830B7586C:3", Support.Range(store, PasswordHashMode.Ntlm, "8846F").Split("\r\n"));
        Assert.Equal(3, store.Count(PasswordHashMode.Sha1));
        Assert.Equal(3, store.Count(PasswordHashMode.Ntlm));
        var umlaut = Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes("pässwörd")));
        Assert.Equal(umlaut[5..] + ":1", Support.Range(store, PasswordHashMode.Sha1, umlaut[..5]));
        var umlautNtlm = Convert.ToHexString(Md4.HashData(Encoding.Unicode.GetBytes("pässwörd")));
        Assert.Equal(umlautNtlm[5..] + ":1", Support.Range(store, PasswordHashMode.Ntlm, umlautNtlm[..5]));
    }

    [Fact]
    public void Run_MalformedLines_CountedWithLineNumbers()
    {
        using var tmp = new TempDir();
        var f = tmp.Write("bad.txt", string.Join("\n",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3",
            "not a hash",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD:3",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FDX:3",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:0",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:-1",
            "",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:2"));
        var stats = PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Auto);
        Assert.Equal(2, stats.ValidLines);
        Assert.Equal(6, stats.MalformedLines);
        Assert.Equal(1, stats.BlankLines);
        Assert.Equal([2, 3, 4, 5, 6, 7], stats.MalformedSamples.Select(s => int.Parse(s.Split(':')[^2], CultureInfo.InvariantCulture)));
        Assert.All(stats.MalformedSamples, s => Assert.StartsWith(f + ":", s, StringComparison.Ordinal));
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        Assert.Equal("1E4C9B93F3F0682250B6CF8331B7EE68FD8:5", Support.Range(store, PasswordHashMode.Sha1, "5BAA6"));
    }

    [Fact]
    public void Run_PlainModeInvalidUtf8_ReportsLineNumberNotContent()
    {
        using var tmp = new TempDir();
        var f = tmp.File("plain.txt");
        File.WriteAllBytes(f, [.. "hunter2\n"u8, .. "s3cret\n"u8, 0xFF, .. "zz\n"u8]);
        var stats = PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Plain);
        Assert.Equal(1, stats.MalformedLines);
        var sample = Assert.Single(stats.MalformedSamples);
        Assert.Equal($"{f}:3: not valid UTF-8", sample);
        Assert.DoesNotContain("zz", sample[f.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FileWithoutValidLine_FailsNamingTheFile()
    {
        using var tmp = new TempDir();
        var good = tmp.Write("good.txt", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n");
        var bad = tmp.Write("bad.txt", "garbage\nmore garbage\n");
        var e = Assert.Throws<PasswordInputException>(() => PasswordIngest.Run(tmp.DataDir, [good, bad], PasswordInputMode.Sha1));
        Assert.Contains("bad.txt", e.Message, StringComparison.Ordinal);
        Assert.Null(PasswordRangeStore.Open(tmp.DataDir));

        var empty = tmp.Write("empty.txt", "");
        var e2 = Assert.Throws<PasswordInputException>(() => PasswordIngest.Run(tmp.DataDir, [empty], PasswordInputMode.Auto));
        Assert.Contains("empty.txt", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AutoModeUnknownHashLength_AsksForMode()
    {
        using var tmp = new TempDir();
        var f = tmp.Write("x.txt", "ABCDEF:1\n");
        var e = Assert.Throws<PasswordInputException>(() => PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Auto));
        Assert.Contains("--mode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_GzipAndZstdInputs_ReadTransparently()
    {
        using var tmp = new TempDir();
        var text = "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\r\n7C4A8D09CA3762AF61E59520943DC26494F8941B:10\r\n";
        var gz = tmp.File("a.txt.gz");
        using (var fs = File.Create(gz))
        using (var z = new GZipStream(fs, CompressionLevel.Fastest))
        {
            z.Write(Encoding.ASCII.GetBytes(text));
        }

        var zst = tmp.File("b.txt.zst");
        using (var fs = File.Create(zst))
        using (var z = new ZstdSharp.CompressionStream(fs, 3))
        {
            z.Write(Encoding.ASCII.GetBytes(text));
        }

        var stats = PasswordIngest.Run(tmp.DataDir, [gz, zst], PasswordInputMode.Auto);
        Assert.Equal(4, stats.ValidLines);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        Assert.Equal("1E4C9B93F3F0682250B6CF8331B7EE68FD8:6", Support.Range(store, PasswordHashMode.Sha1, "5BAA6"));
        Assert.Equal("D09CA3762AF61E59520943DC26494F8941B:20", Support.Range(store, PasswordHashMode.Sha1, "7C4A8"));
    }

    [Fact]
    public void ETag_LaterIngestChangesPrefix_ChangesOnlyThatPrefix()
    {
        using var tmp = new TempDir();
        var f1 = tmp.Write("1.txt", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n7C4A8D09CA3762AF61E59520943DC26494F8941B:10\n");
        PasswordIngest.Run(tmp.DataDir, [f1], PasswordInputMode.Auto);
        string changed, unchanged, empty, ntlm;
        long generation;
        using (var store = PasswordRangeStore.Open(tmp.DataDir)!)
        {
            changed = store.ETag(PasswordHashMode.Sha1, "5BAA6");
            unchanged = store.ETag(PasswordHashMode.Sha1, "7c4a8");
            empty = store.ETag(PasswordHashMode.Sha1, "00000");
            ntlm = store.ETag(PasswordHashMode.Ntlm, "5BAA6");
            generation = store.Generation;
            Assert.Matches("^\"[0-9A-F]{16}\"$", changed);
            Assert.Equal(unchanged, store.ETag(PasswordHashMode.Sha1, "7C4A8"));
            Assert.NotEqual(changed, ntlm);
        }

        var f2 = tmp.Write("2.txt", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8:1\n");
        PasswordIngest.Run(tmp.DataDir, [f2], PasswordInputMode.Auto);
        using (var store = PasswordRangeStore.Open(tmp.DataDir)!)
        {
            Assert.NotEqual(generation, store.Generation);
            Assert.NotEqual(changed, store.ETag(PasswordHashMode.Sha1, "5BAA6"));
            Assert.Equal(unchanged, store.ETag(PasswordHashMode.Sha1, "7C4A8"));
            Assert.Equal(empty, store.ETag(PasswordHashMode.Sha1, "00000"));
            Assert.Equal(ntlm, store.ETag(PasswordHashMode.Ntlm, "5BAA6"));
        }
    }

    [Fact]
    public void WriteRange_AllPrefixes_CountsSumToIngestTotal()
    {
        using var tmp = new TempDir();
        var rng = new Random(3);
        var lines = Support.RandomHashes(rng, 5000, 40, HotPrefixes).Select(h => $"{h}:{rng.Next(1, 1000)}").ToList();
        var f = tmp.Write("all.txt", string.Join("\r\n", lines));
        var stats = PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Auto, Support.TinyRuns);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        var w = new ArrayBufferWriter<byte>(1 << 16);
        Span<char> prefix = stackalloc char[5];
        long sum = 0, lineCount = 0;
        for (var b = 0; b < 1 << 20; b++)
        {
            b.TryFormat(prefix, out _, "X5", CultureInfo.InvariantCulture);
            w.ResetWrittenCount();
            lineCount += store.WriteRange(PasswordHashMode.Sha1, prefix, w);
            var body = w.WrittenSpan;
            while (!body.IsEmpty)
            {
                var end = body.IndexOf("\r\n"u8);
                var line = end < 0 ? body : body[..end];
                var colon = line.IndexOf((byte)':');
                Assert.Equal(35, colon);
                long count = 0;
                foreach (var d in line[(colon + 1)..])
                {
                    count = count * 10 + (d - '0');
                }

                sum += count;
                body = end < 0 ? default : body[(end + 2)..];
            }
        }

        Assert.Equal(stats.CountAdded, sum);
        Assert.Equal(store.Count(PasswordHashMode.Sha1), lineCount);
        Assert.Equal((ulong)sum, store.TotalCount(PasswordHashMode.Sha1));
    }
}
