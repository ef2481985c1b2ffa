using Leakwatch.Storage.Retention;

namespace Leakwatch.Passwords.Tests;

/// <summary>Replaced range files outlive the publish by the retention period, so a replica on another machine that
/// still has them open (over NFS an unlinked file goes stale) keeps answering; a manual clock moves time.</summary>
public class RetentionTests
{
    private static string[] RangeFiles(string dataDir) =>
        [.. Directory.GetFiles(Path.Combine(dataDir, "passwords"), "*.lwp").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void Run_ReplacedFiles_KeptForThePeriodAndServingThenDeletedByALaterIngest()
    {
        using var tmp = new TempDir();
        var clock = new ManualClock();
        var options = new PasswordIngestOptions { Retention = new GenerationRetention(TimeSpan.FromMinutes(10), clock) };
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("1.txt", "password\n")], PasswordInputMode.Plain, options);
        var first = RangeFiles(tmp.DataDir);
        Assert.Equal(2, first.Length); // sha1 and ntlm
        using var old = PasswordRangeStore.Open(tmp.DataDir)!;

        clock.Advance(TimeSpan.FromMinutes(1));
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("2.txt", "password\npassword\n")], PasswordInputMode.Plain, options);
        var second = RangeFiles(tmp.DataDir);
        Assert.Equal(4, second.Length);
        Assert.All(first, f => Assert.Contains(f, second));
        // The reader opened on the replaced generation still answers, with the old count.
        Assert.Equal("1E4C9B93F3F0682250B6CF8331B7EE68FD8:1", Support.Range(old, PasswordHashMode.Sha1, "5BAA6"));
        Assert.Empty(PasswordRangeStore.Orphans(tmp.DataDir, options.Retention));
        Assert.Equal(2, PasswordRangeStore.Retained(tmp.DataDir, options.Retention).Count);

        // A third ingest within the period keeps both older generations; one after it deletes the first.
        clock.Advance(TimeSpan.FromMinutes(8));
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("3.txt", "letmein\n")], PasswordInputMode.Plain, options);
        Assert.Equal(6, RangeFiles(tmp.DataDir).Length);
        clock.Advance(TimeSpan.FromMinutes(2)); // the first generation was retired 10 minutes ago
        Assert.Equal(first, PasswordRangeStore.Orphans(tmp.DataDir, options.Retention).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("4.txt", "hunter2\n")], PasswordInputMode.Plain, options);
        var fourth = RangeFiles(tmp.DataDir);
        Assert.Equal(6, fourth.Length);
        Assert.All(first, f => Assert.DoesNotContain(f, fourth));
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        Assert.Equal("1E4C9B93F3F0682250B6CF8331B7EE68FD8:3", Support.Range(store, PasswordHashMode.Sha1, "5BAA6"));
    }

    [Fact]
    public void TrySweepLeftovers_OrphanedPartialFile_DeletedWhileRetainedFilesStay()
    {
        using var tmp = new TempDir();
        var clock = new ManualClock();
        var retention = new GenerationRetention(TimeSpan.FromMinutes(10), clock);
        var options = new PasswordIngestOptions { Retention = retention };
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("1.txt", "password\n")], PasswordInputMode.Plain, options);
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("2.txt", "letmein\n")], PasswordInputMode.Plain, options);
        var kept = RangeFiles(tmp.DataDir);
        // What a kill -9 during a merge leaves: a half-written file of a generation never published.
        var partial = Path.Combine(tmp.DataDir, "passwords", "sha1-gen-00000003-0123456789abcdef0123456789abcdef.lwp");
        File.WriteAllBytes(partial, new byte[100]);
        Assert.Equal([partial], PasswordRangeStore.Orphans(tmp.DataDir, retention));

        Assert.True(PasswordIngest.TrySweepLeftovers(tmp.DataDir, retention));
        Assert.False(File.Exists(partial));
        Assert.Equal(kept, RangeFiles(tmp.DataDir));

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(PasswordRangeStore.Retained(tmp.DataDir, retention));
        Assert.True(PasswordIngest.TrySweepLeftovers(tmp.DataDir, retention));
        Assert.Equal(2, RangeFiles(tmp.DataDir).Length);
    }

    [Fact]
    public void Run_RetentionZero_DeletesReplacedFilesAtOnce()
    {
        using var tmp = new TempDir();
        var options = new PasswordIngestOptions { Retention = GenerationRetention.None };
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("1.txt", "password\n")], PasswordInputMode.Plain, options);
        var first = RangeFiles(tmp.DataDir);
        PasswordIngest.Run(tmp.DataDir, [tmp.Write("2.txt", "password\n")], PasswordInputMode.Plain, options);
        var second = RangeFiles(tmp.DataDir);
        Assert.Equal(2, second.Length);
        Assert.All(first, f => Assert.DoesNotContain(f, second));
        Assert.DoesNotContain("\"retired\": [\n    {", File.ReadAllText(Path.Combine(tmp.DataDir, "passwords", "manifest.json")), StringComparison.Ordinal);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
