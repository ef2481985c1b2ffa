using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>The private index through the real binary: privacy at rest, kill -9 and resume, key rotation, fsck.</summary>
public class PrivateIndexTests
{
    private static readonly Dictionary<string, string> SmallChunks = new() { ["LEAKWATCH_PRIVATE_CHUNK"] = "250" };

    private static JsonElement Json(LeakwatchProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.StdoutLines[^1]).RootElement;
    }

    /// <summary>Accounts of a dump (present and absent), to compare private answers with plain ones.</summary>
    private static List<string> Sample(params GeneratorTruth[] truths)
    {
        var list = new List<string>();
        foreach (var t in truths)
        {
            list.AddRange(t.Emails!.Order(StringComparer.Ordinal).Take(25));
            list.AddRange(t.Phones!.Order().Take(25).Select(IngestEndToEndTests.Plus));
        }

        list.Add("nobody-anywhere@example.com");
        var all = truths.SelectMany(t => t.Phones!).ToHashSet();
        list.Add(IngestEndToEndTests.Plus(all.Order().Select(p => p + 7919).First(p => !all.Contains(p))));
        return list;
    }

    private static void AssertPrivateMatchesPlain(TempDir dir, List<string> accounts)
    {
        var plain = IngestEndToEndTests.Check(dir, accounts);
        var privately = IngestEndToEndTests.Check(dir, accounts, "--private");
        foreach (var a in accounts)
        {
            Assert.Equal(plain[a], privately[a]);
        }

        Assert.Contains(accounts, a => plain[a].Length > 1); // some identifier is in both breaches
        Assert.Contains(accounts, a => plain[a].Length == 0);
    }

    private static string PrivateManifest(TempDir dir) => File.ReadAllText(Path.Combine(dir.DataDir, "private", "manifest.json"));

    /// <summary>The identifier forms the private tier adds to the plain scan: the OPRF inputs x, and their unkeyed hashes.</summary>
    private static IEnumerable<byte[]> PrivateForms(GeneratorTruth t)
    {
        foreach (var e in t.Emails!)
        {
            foreach (var f in PrivacyScanTests.Forms("email:" + e))
            {
                yield return f;
            }
        }

        foreach (var p in t.Phones!)
        {
            foreach (var f in PrivacyScanTests.Forms("phone:" + IngestEndToEndTests.Plus(p)))
            {
                yield return f;
            }
        }
    }

    private static List<byte[]> Needles(params GeneratorTruth[] truths)
    {
        var texts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in truths)
        {
            foreach (var e in t.Emails!)
            {
                texts.Add(e);
                texts.Add(e.ToUpperInvariant());
            }

            foreach (var p in t.Phones!)
            {
                texts.UnionWith(PrivacyScanTests.PhoneTexts(p));
            }
        }

        return [.. texts.SelectMany(PrivacyScanTests.Forms), .. truths.SelectMany(PrivateForms)];
    }

    [Fact]
    public void IngestPrivate_DataDirKeyFileAndOutputs_HoldNoIdentifierInAnyForm()
    {
        using var dir = new TempDir();
        var csv = dir.File("leak.csv");
        var colon = dir.File("scrape.txt");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(2_000, 87, DumpShape.Csv), csv, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(1_000, 88, DumpShape.Colon) { RecycleFrom = csv, RecycleRate = 0.3 }, colon, collectIdentifiers: true);
        var r1 = LeakwatchProcess.Run([.. dir.Dirs, "ingest", csv, "--breach", "A", "--private", "--json"], environment: SmallChunks);
        var r2 = LeakwatchProcess.Run([.. dir.Dirs, "ingest", colon, "--breach", "B", "--private", "--columns", string.Join(',', IngestEndToEndTests.ColonColumns)], environment: SmallChunks);
        Assert.True(r1.ExitCode == 0, r1.Stderr);
        Assert.True(r2.ExitCode == 0, r2.Stderr);
        var stats = Json(r1);
        Assert.True(stats.GetProperty("private").GetProperty("indexed").GetInt64() > 3_000);
        AssertPrivateMatchesPlain(dir, Sample(t1, t2));

        var files = Directory.EnumerateFiles(dir.DataDir, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith(".lwp", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.Contains($"{Path.DirectorySeparatorChar}build{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var needles = Needles(t1, t2);
        Assert.Empty(PrivacyScanTests.Scan(files, needles));
        var outFile = dir.File("outputs.txt");
        File.WriteAllText(outFile, r1.Stdout + r1.Stderr + r2.Stdout + r2.Stderr);
        Assert.Empty(PrivacyScanTests.Scan([outFile], needles));

        // The key file: mode 0600, version 2 with an active OPRF key, outside the data dir.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.KeyFile));
        var key = JsonDocument.Parse(File.ReadAllText(dir.KeyFile)).RootElement;
        Assert.Equal(2, key.GetProperty("version").GetInt32());
        Assert.Equal(JsonDocument.Parse(PrivateManifest(dir)).RootElement.GetProperty("keyId").GetString(),
            key.GetProperty("oprf").GetProperty("active").GetProperty("keyId").GetString());

        // The scan can fail: the OPRF input of an identifier, planted, is found.
        var planted = Path.Combine(dir.DataDir, "planted.bin");
        File.WriteAllBytes(planted, [0, .. SHA256.HashData(Encoding.UTF8.GetBytes("email:" + t1.Emails!.First())), 1]);
        Assert.Single(PrivacyScanTests.Scan([planted], needles));
    }

    public static TheoryData<string> ResumeCommands => ["private resume", "same command"];

    [Theory]
    [MemberData(nameof(ResumeCommands))]
    public void IngestPrivate_KilledDuringOprf_PlainServedSpillSealedResumeSkipsFinishedChunks(string how)
    {
        using var dir = new TempDir();
        var first = dir.File("first.csv");
        var second = dir.File("second.csv");
        var t1 = DumpGenerator.Generate(new GeneratorOptions(1_500, 61, DumpShape.Csv), first, collectIdentifiers: true);
        var t2 = DumpGenerator.Generate(new GeneratorOptions(9_000, 62, DumpShape.Csv) { RecycleFrom = first, RecycleRate = 0.2 }, second, collectIdentifiers: true);
        Json(LeakwatchProcess.Run([.. dir.Dirs, "ingest", first, "--breach", "First", "--private", "--json"], environment: SmallChunks));
        var privateBefore = PrivateManifest(dir);

        string[] command = [.. dir.Dirs, "ingest", second, "--breach", "Second", "--private", "--json"];
        var finished = KillDuringOprf(LeakwatchProcess.StartInfo(command, SmallChunks), dir.DataDir, out var checkpoints);
        Assert.True(finished >= 3, $"killed with {finished} finished chunks");

        // Killed in the OPRF phase: the plain index already serves Second, the private index is the old one,
        // fsck is clean, and the sealed spill left behind holds no identifier in any form.
        var phone = IngestEndToEndTests.Plus(t2.Phones!.Order().First(p => !t1.Phones!.Contains(p)));
        Assert.Equal(["Second"], IngestEndToEndTests.Check(dir, [phone])[phone]);
        Assert.Equal(privateBefore, PrivateManifest(dir));
        Assert.Empty(IngestEndToEndTests.Check(dir, [phone], "--private")[phone]);
        var fsck = LeakwatchProcess.Run([.. dir.Dirs, "fsck"]);
        Assert.True(fsck.ExitCode == 0, fsck.Stderr);
        Assert.Contains("unfinished private build", fsck.Stderr, StringComparison.Ordinal);
        var files = Directory.EnumerateFiles(dir.DataDir, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith(".lws", StringComparison.Ordinal));
        Assert.Empty(PrivacyScanTests.Scan(files, Needles(t2)));

        var resumed = how == "private resume"
            ? Json(LeakwatchProcess.Run([.. dir.Dirs, "private", "resume", "--json"], environment: SmallChunks))
            : Json(LeakwatchProcess.Run(command, environment: SmallChunks)).GetProperty("private");
        Assert.True(resumed.GetProperty("chunksResumed").GetInt32() >= finished, resumed.ToString());
        Assert.True(resumed.GetProperty("chunks").GetInt32() > resumed.GetProperty("chunksResumed").GetInt32());
        foreach (var done in checkpoints)
        {
            Assert.False(File.Exists(done)); // not redone, and cleaned up with the whole build dir
        }

        Assert.False(Directory.Exists(Path.Combine(dir.DataDir, "private", "build")));
        Assert.Equal(2, JsonDocument.Parse(PrivateManifest(dir)).RootElement.GetProperty("generation").GetInt64());
        AssertPrivateMatchesPlain(dir, Sample(t1, t2));
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).ExitCode);
    }

    [Fact]
    public void PrivateBuild_KilledThenResumed_IndexesAnIngestedBreach()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.csv");
        var t = DumpGenerator.Generate(new GeneratorOptions(8_000, 71, DumpShape.Csv), dump, collectIdentifiers: true);
        IngestEndToEndTests.Ingest(dir, dump, "Leak");
        Assert.Equal(5, LeakwatchProcess.Run([.. dir.Dirs, "private", "build", dump, "--breach", "Nope"]).ExitCode);

        var finished = KillDuringOprf(LeakwatchProcess.StartInfo([.. dir.Dirs, "private", "build", dump, "--breach", "Leak"], SmallChunks), dir.DataDir, out _);
        Assert.True(finished >= 3);
        Assert.False(File.Exists(Path.Combine(dir.DataDir, "private", "manifest.json")));
        var other = LeakwatchProcess.Run([.. dir.Dirs, "keys", "rotate-oprf"]);
        Assert.Equal(4, other.ExitCode);
        Assert.Contains("private resume", other.Stderr, StringComparison.Ordinal);

        var resumed = Json(LeakwatchProcess.Run([.. dir.Dirs, "private", "resume", "--json"], environment: SmallChunks));
        Assert.True(resumed.GetProperty("chunksResumed").GetInt32() >= finished);
        var accounts = t.Emails!.Take(30).Concat(t.Phones!.Take(30).Select(IngestEndToEndTests.Plus)).Append("nobody-anywhere@example.com").ToList();
        var plain = IngestEndToEndTests.Check(dir, accounts);
        var privately = IngestEndToEndTests.Check(dir, accounts, "--private");
        Assert.All(accounts, a => Assert.Equal(plain[a], privately[a]));
        var nothing = LeakwatchProcess.Run([.. dir.Dirs, "private", "resume"]);
        Assert.Equal(5, nothing.ExitCode);
        Assert.Equal("leakwatch: error: no private build to resume", nothing.Stderr.Trim());

        // Removing the breach forgets its source (a rotation will not rebuild it) and fsck stays clean.
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "remove", "Leak"]).ExitCode);
        Assert.Empty(JsonDocument.Parse(PrivateManifest(dir)).RootElement.GetProperty("breaches").EnumerateArray());
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).ExitCode);
    }

    [Fact]
    public void RotateOprf_NewKeyIdSameAnswers_MissingSourceRefusedUntilOverridden()
    {
        using var dir = new TempDir();
        var a = dir.File("a.csv");
        var b = dir.File("b.jsonl");
        var ta = DumpGenerator.Generate(new GeneratorOptions(1_500, 91, DumpShape.Csv), a, collectIdentifiers: true);
        var tb = DumpGenerator.Generate(new GeneratorOptions(800, 92, DumpShape.JsonLines) { RecycleFrom = a, RecycleRate = 0.3 }, b, collectIdentifiers: true);
        Json(LeakwatchProcess.Run([.. dir.Dirs, "ingest", a, "--breach", "A", "--private", "--json"]));
        Json(LeakwatchProcess.Run([.. dir.Dirs, "ingest", b, "--breach", "B", "--private", "--json"]));
        var before = JsonDocument.Parse(PrivateManifest(dir)).RootElement.GetProperty("keyId").GetString();
        var accounts = Sample(ta, tb);

        var moved = dir.File("moved.jsonl");
        File.Move(b, moved);
        var refused = LeakwatchProcess.Run([.. dir.Dirs, "keys", "rotate-oprf"]);
        Assert.Equal(3, refused.ExitCode);
        Assert.Single(refused.StderrLines);
        Assert.Contains("B (" + b + ")", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--source", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, JsonDocument.Parse(PrivateManifest(dir)).RootElement.GetProperty("keyId").GetString());

        var rotated = Json(LeakwatchProcess.Run([.. dir.Dirs, "keys", "rotate-oprf", "--source", "B=" + moved, "--json"]));
        var after = rotated.GetProperty("keyId").GetString();
        Assert.NotEqual(before, after);
        var manifest = JsonDocument.Parse(PrivateManifest(dir)).RootElement;
        Assert.Equal(after, manifest.GetProperty("keyId").GetString());
        Assert.Equal(moved, manifest.GetProperty("breaches")[1].GetProperty("source").GetProperty("path").GetString());
        var key = JsonDocument.Parse(File.ReadAllText(dir.KeyFile)).RootElement.GetProperty("oprf");
        Assert.Equal(after, key.GetProperty("active").GetProperty("keyId").GetString());
        Assert.Equal(JsonValueKind.Null, key.GetProperty("pending").ValueKind);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.KeyFile));
        AssertPrivateMatchesPlain(dir, accounts);
        // The generation of the old key is retained (--retain-generations), listed as retired; nothing else is left.
        var files = Directory.GetFiles(Path.Combine(dir.DataDir, "private"), "*.lwp").Select(f => "private/" + Path.GetFileName(f)).Order(StringComparer.Ordinal);
        var retired = manifest.GetProperty("retired").EnumerateArray().Select(r => r.GetProperty("file").GetString()!);
        Assert.Equal(retired.Append(manifest.GetProperty("index").GetString()!).Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public void Fsck_CorruptedPrivateIndex_ReportsTheFile()
    {
        using var dir = new TempDir();
        var dump = dir.File("leak.csv");
        DumpGenerator.Generate(new GeneratorOptions(600, 33, DumpShape.Csv), dump);
        Json(LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", "Leak", "--private", "--json"]));
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).ExitCode);
        var file = Directory.GetFiles(Path.Combine(dir.DataDir, "private"), "*.lwp").Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^100] ^= 0x10;
        File.WriteAllBytes(file, bytes);
        var r = LeakwatchProcess.Run([.. dir.Dirs, "fsck"]);
        Assert.Equal(4, r.ExitCode);
        Assert.Contains(Path.GetFileName(file) + ": entries checksum mismatch", r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Starts the command and SIGKILLs it once at least three OPRF chunk outputs are durable; returns how many
    /// were, and their paths.</summary>
    private static int KillDuringOprf(ProcessStartInfo psi, string dataDir, out List<string> checkpoints)
    {
        var outDir = Path.Combine(dataDir, "private", "build", "out");
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        checkpoints = [];
        while (!p.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            var done = Directory.Exists(outDir) ? Directory.GetFiles(outDir, "*.lwo") : [];
            if (done.Length >= 3)
            {
                p.Kill(entireProcessTree: true);
                LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(1));
                checkpoints = [.. Directory.GetFiles(outDir, "*.lwo")];
                return checkpoints.Count;
            }

            Thread.Sleep(1);
        }

        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(5));
        return 0;
    }
}
