using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>`--retain-generations` through the real binary: a replaced generation stays by default and `fsck` shows
/// it apart from orphans; 0 deletes at once; a bad value is a usage error naming where it came from.</summary>
public class RetentionCliTests
{
    private static string[] IndexFiles(TempDir dir) => Directory.GetFiles(Path.Combine(dir.DataDir, "index"));

    [Fact]
    public void Ingest_DefaultRetention_KeepsReplacedGenerationAndFsckListsIt_ZeroDeletesThem()
    {
        using var dir = new TempDir();
        foreach (var (name, seed) in new[] { ("A", 1), ("B", 2) })
        {
            var csv = dir.File(name + ".csv");
            DumpGenerator.Generate(new GeneratorOptions(200, seed, DumpShape.Csv), csv);
            Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "ingest", csv, "--breach", name]).ExitCode);
        }

        Assert.Equal(2, IndexFiles(dir).Length);
        var fsck = LeakwatchProcess.Run([.. dir.Dirs, "fsck"]);
        Assert.True(fsck.ExitCode == 0, fsck.Stderr);
        Assert.Contains("retained generation", fsck.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("orphaned file", fsck.Stderr, StringComparison.Ordinal);

        var c = dir.File("C.csv");
        DumpGenerator.Generate(new GeneratorOptions(200, 3, DumpShape.Csv), c);
        var r = LeakwatchProcess.Run([.. dir.Dirs, "--retain-generations", "0", "ingest", c, "--breach", "C"]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Single(IndexFiles(dir));
        Assert.DoesNotContain("retained generation", LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRetention_OptionOrEnvironment_OneLineUsageErrorNamingIt()
    {
        using var dir = new TempDir();
        var r = LeakwatchProcess.Run([.. dir.Dirs, "--retain-generations", "ten", "fsck"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.StderrLines);
        Assert.Contains("--retain-generations: 'ten'", r.StderrLines[0], StringComparison.Ordinal);

        var e = LeakwatchProcess.Run([.. dir.Dirs, "fsck"], environment: new Dictionary<string, string> { ["LEAKWATCH_RETAIN_GENERATIONS"] = "-5m" });
        Assert.Equal(2, e.ExitCode);
        Assert.Contains("LEAKWATCH_RETAIN_GENERATIONS: '-5m'", e.StderrLines[0], StringComparison.Ordinal);
    }
}
