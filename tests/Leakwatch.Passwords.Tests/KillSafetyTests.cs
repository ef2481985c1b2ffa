namespace Leakwatch.Passwords.Tests;

public class KillSafetyTests
{
    private static (long Generation, string Range, string[] Files) Snapshot(string dataDir)
    {
        using var store = PasswordRangeStore.Open(dataDir)!;
        return (store.Generation, Support.Range(store, PasswordHashMode.Sha1, "5BAA6"),
            Directory.GetFiles(Path.Combine(dataDir, "passwords")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData("read")]
    [InlineData("merged-sha1")]
    [InlineData("merged-ntlm")]
    [InlineData("publish")]
    public void Run_KilledBeforePublish_LeavesStoreUnchanged(string point)
    {
        using var tmp = new TempDir();
        var first = tmp.Write("1.txt", "password\nletmein\n");
        PasswordIngest.Run(tmp.DataDir, [first], PasswordInputMode.Plain);
        var before = Snapshot(tmp.DataDir);

        var reached = false;
        var options = new PasswordIngestOptions
        {
            RunBytes = 16 * 32,
            KillPoint = p =>
            {
                if (p == point)
                {
                    reached = true;
                    throw new IOException("simulated kill at " + p);
                }
            },
        };
        var more = tmp.Write("2.txt", string.Concat(Enumerable.Repeat("password\n", 40)));
        Assert.Throws<IOException>(() => PasswordIngest.Run(tmp.DataDir, [more], PasswordInputMode.Plain, options));
        Assert.True(reached);
        var after = Snapshot(tmp.DataDir);
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.Range, after.Range);
        Assert.Equal(before.Files, after.Files);
        Assert.Empty(Directory.Exists(Path.Combine(tmp.DataDir, "passwords", "tmp")) ? Directory.GetFiles(Path.Combine(tmp.DataDir, "passwords", "tmp")) : []);

        // The next ingest proceeds normally.
        PasswordIngest.Run(tmp.DataDir, [more], PasswordInputMode.Plain);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        Assert.Equal("1E4C9B93F3F0682250B6CF8331B7EE68FD8:41", Support.Range(store, PasswordHashMode.Sha1, "5BAA6"));
    }

    [Fact]
    public void Run_MissingSecondFile_LeavesStoreUnchanged()
    {
        using var tmp = new TempDir();
        var first = tmp.Write("1.txt", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n");
        PasswordIngest.Run(tmp.DataDir, [first], PasswordInputMode.Auto);
        var before = Snapshot(tmp.DataDir);
        var e = Assert.Throws<PasswordInputException>(() => PasswordIngest.Run(tmp.DataDir, [first, tmp.File("missing.txt")], PasswordInputMode.Auto));
        Assert.Contains("missing.txt", e.Message, StringComparison.Ordinal);
        var after = Snapshot(tmp.DataDir);
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.Range, after.Range);
        Assert.Equal(before.Files, after.Files);
    }

    [Fact]
    public void Run_KilledAfterSpilling_NextIngestSweepsLeftovers()
    {
        using var tmp = new TempDir();
        var first = tmp.Write("1.txt", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n");
        PasswordIngest.Run(tmp.DataDir, [first], PasswordInputMode.Auto);

        // Leftovers of a process killed hard (no finally blocks ran).
        var dir = Path.Combine(tmp.DataDir, "passwords");
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        File.WriteAllText(Path.Combine(dir, "tmp", "sha1-00000-x.run"), "junk");
        File.WriteAllText(Path.Combine(dir, "sha1-gen-00000099-x.lwp"), "junk");
        File.WriteAllText(Path.Combine(dir, "manifest.json.tmp"), "{");
        Assert.Equal("1E4C9B93F3F0682250B6CF8331B7EE68FD8:3", Support.Range(PasswordRangeStore.Open(tmp.DataDir)!, PasswordHashMode.Sha1, "5BAA6"));

        PasswordIngest.Run(tmp.DataDir, [first], PasswordInputMode.Auto);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "tmp")));
        Assert.False(File.Exists(Path.Combine(dir, "sha1-gen-00000099-x.lwp")));
        Assert.Equal(2, Directory.GetFiles(dir, "*.lwp").Length); // the published file and the one it replaced, retained
        Assert.False(File.Exists(Path.Combine(dir, "manifest.json.tmp")));
    }
}
