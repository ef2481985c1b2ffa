using System.Diagnostics;
using System.Text;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>What a data dir, its backups and the temp dir keep after the fact: no key file inside the data dir, no
/// removed report in catalog.db's free pages, and no readable verify spill after a kill.</summary>
public class LeftoverSecretsTests
{
    [Fact]
    public void KeyFileInsideTheDataDir_RefusedWithOneLineAndExit2()
    {
        using var dir = new TempDir();
        var dump = dir.File("d.csv");
        DumpGenerator.Generate(new GeneratorOptions(200, 3, DumpShape.Csv), dump);
        Directory.CreateDirectory(dir.DataDir);
        var inside = Path.Combine(dir.DataDir, "leakwatch.key");

        var byOption = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "--key-file", inside, "ingest", dump, "--breach", "D"]);
        var byEnvironment = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest", dump, "--breach", "D"], environment:
            new Dictionary<string, string> { ["LEAKWATCH_KEY_FILE"] = Path.Combine(dir.DataDir, "sub", "..", "k.key") });
        var link = dir.File("data-link");
        File.CreateSymbolicLink(link, dir.DataDir);
        var throughLink = LeakwatchProcess.Run(["--data-dir", dir.DataDir, "--key-file", Path.Combine(link, "k.key"), "check", "a@example.org"]);

        foreach (var r in new[] { byOption, byEnvironment, throughLink })
        {
            Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}");
            var line = Assert.Single(r.StderrLines);
            Assert.Contains("may not lie inside the data dir", line, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetFileSystemEntries(dir.DataDir));

        // Beside the data dir (the default) is fine.
        Assert.Equal(0, LeakwatchProcess.Run(["--data-dir", dir.DataDir, "ingest", dump, "--breach", "D"]).ExitCode);
        Assert.True(File.Exists(dir.DataDir + ".key"));
    }

    [Fact]
    public void Remove_ReportIsGoneFromCatalogBytes()
    {
        using var dir = new TempDir();
        const string marker = "qzxv-removed-marker.com";
        var dump = dir.File("marked.csv");
        var sb = new StringBuilder("email,name\n");
        for (var i = 0; i < 40; i++)
        {
            sb.Append("person").Append(i).Append('@').Append(marker).Append(",P\n");
        }

        File.WriteAllText(dump, sb.ToString());
        IngestEndToEndTests.Ingest(dir, dump, "Marked");
        IngestEndToEndTests.Ingest(dir, MakeKeeper(dir), "Keeper");
        var needle = Encoding.UTF8.GetBytes(marker);
        Assert.True(CatalogHolds(dir, needle), "the stored report should name the marked domain before the removal");

        var removed = LeakwatchProcess.Run([.. dir.Dirs, "remove", "Marked"]);
        Assert.True(removed.ExitCode == 0, removed.Stderr);
        Assert.False(CatalogHolds(dir, needle), "catalog.db still holds the removed breach's report in its free pages");
        Assert.False(CatalogHolds(dir, Encoding.Unicode.GetBytes(marker)));
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).ExitCode);
    }

    [Fact]
    public void Verify_KilledAfterSpilling_LeavesNothingReadableAndTheNextVerifySweepsIt()
    {
        using var dir = new TempDir();
        var tmp = Directory.CreateDirectory(dir.File("tmp")).FullName;
        var dump = dir.File("big.csv");
        var truth = DumpGenerator.Generate(new GeneratorOptions(60_000, 41, DumpShape.Csv), dump, collectIdentifiers: true);
        var env = new Dictionary<string, string> { ["TMPDIR"] = tmp, ["LEAKWATCH_TEST_KILL_AT"] = "spilled" };

        // A 1 MB sort budget makes the sorters spill before the kill point.
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "verify", dump, "--memory", "1", "--json"], environment: env);
        Assert.True(killed.ExitCode == 128 + 9, $"exit {killed.ExitCode}, not SIGKILL: {killed.Stderr}");
        var left = Assert.Single(Directory.GetDirectories(tmp, "leakwatch-verify-*"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(left));

        var needles = truth.Emails!.Concat(truth.Phones!.SelectMany(PrivacyScanTests.PhoneTexts)).SelectMany(PrivacyScanTests.Forms).ToList();
        // (The runtime's own diagnostic sockets in TMPDIR are not files to read.)
        Assert.Empty(PrivacyScanTests.Scan(Directory.GetFiles(left, "*", SearchOption.AllDirectories), needles));

        env.Remove("LEAKWATCH_TEST_KILL_AT");
        var next = LeakwatchProcess.Run([.. dir.Dirs, "verify", dump, "--memory", "1", "--json"], environment: env);
        Assert.True(next.ExitCode == 0, next.Stderr);
        Assert.Empty(Directory.GetFileSystemEntries(tmp, "leakwatch-verify-*"));
    }

    [Fact]
    public async Task Verify_CtrlC_ExitsInterruptedAndRemovesItsScratchDir()
    {
        Assert.False(LeakwatchProcess.SigintIgnored(), LeakwatchProcess.SigintIgnoredMessage);
        using var dir = new TempDir();
        var tmp = Directory.CreateDirectory(dir.File("tmp")).FullName;
        var dump = dir.File("big.csv");
        DumpGenerator.Generate(new GeneratorOptions(60_000, 42, DumpShape.Csv), dump);

        // The pause hook holds the run in its read phase, after a spill, until the interrupt arrives.
        using var p = Process.Start(LeakwatchProcess.StartInfo([.. dir.Dirs, "verify", dump, "--memory", "1", "--json"],
            new Dictionary<string, string> { ["TMPDIR"] = tmp, ["LEAKWATCH_TEST_PAUSE_AT"] = "reading" }))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var seen = new StringBuilder();
        while (await p.StandardError.ReadLineAsync() is { } line)
        {
            seen.AppendLine(line);
            if (line.Contains("LEAKWATCH_TEST_PAUSE_AT=reading reached", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.False(p.HasExited, $"verify ended before it was interrupted: {seen}");
        Assert.Single(Directory.GetDirectories(tmp, "leakwatch-verify-*"));
        using (var interrupt = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            interrupt.WaitForExit();
        }

        var stderr = p.StandardError.ReadToEndAsync();
        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(2));
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}: {await stderr}");
        Assert.Empty(await stdout);
        Assert.Empty(Directory.GetFileSystemEntries(tmp, "leakwatch-verify-*"));
    }

    private static bool CatalogHolds(TempDir dir, byte[] needle)
    {
        foreach (var file in Directory.GetFiles(dir.DataDir, "catalog.db*"))
        {
            if (File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string MakeKeeper(TempDir dir)
    {
        var path = dir.File("keeper.csv");
        DumpGenerator.Generate(new GeneratorOptions(300, 9, DumpShape.Csv), path);
        return path;
    }
}
