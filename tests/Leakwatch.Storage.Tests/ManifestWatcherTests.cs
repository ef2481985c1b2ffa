using Leakwatch.Storage.Publishing;

namespace Leakwatch.Storage.Tests;

/// <summary>The watcher both served indexes share: the file watcher alone (the periodic check set to an hour)
/// must see an atomic publish, also in a directory made after it started, and a failed reload is retried.</summary>
public class ManifestWatcherTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static void Publish(string path, string text)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    [Fact]
    public async Task AtomicPublish_SeenByTheFileWatcher_OnceUntilTheNextChange()
    {
        using var dir = new TempDir();
        var path = System.IO.Path.Combine(dir.Path, "manifest.json");
        Publish(path, "{\"generation\":1}");
        var reloads = 0;
        using var watcher = new ManifestWatcher(path, dir.Path, ManifestWatcher.Stamp(path), Hour, () => { Interlocked.Increment(ref reloads); return true; }, _ => { });

        Assert.False(watcher.Check()); // nothing changed since the stamp it was given
        Publish(path, "{\"generation\":22}");
        Assert.True(await Eventually(() => Volatile.Read(ref reloads) == 1));
        await Task.Delay(300);
        Assert.Equal(1, Volatile.Read(ref reloads)); // the rename's several events make one reload
        Assert.False(watcher.Check());
    }

    [Fact]
    public async Task ManifestInADirectoryMadeLater_SeenThroughTheWatchedRoot_AndTheRootItselfIsIgnored()
    {
        using var dir = new TempDir();
        var path = System.IO.Path.Combine(dir.Path, "private", "manifest.json");
        var reloads = 0;
        using var watcher = new ManifestWatcher(path, dir.Path, ManifestWatcher.Stamp(path), Hour, () => { Interlocked.Increment(ref reloads); return true; }, _ => { });
        Assert.False(Directory.Exists(System.IO.Path.GetDirectoryName(path)));

        Publish(System.IO.Path.Combine(dir.Path, "manifest.json"), "{}"); // same name, other directory
        await Task.Delay(300);
        Assert.Equal(0, Volatile.Read(ref reloads));

        // A build makes the directory (its spill) well before it publishes; inotify needs a moment to add the new
        // directory's watch (a manifest written within that moment is left to the periodic check), so publish
        // until the watcher has it, within the deadline.
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        for (var generation = 1; Volatile.Read(ref reloads) == 0 && DateTime.UtcNow < deadline; generation++)
        {
            await Task.Delay(250);
            Publish(path, $"{{\"generation\":{generation}}}");
            await Eventually(() => Volatile.Read(ref reloads) > 0, TimeSpan.FromMilliseconds(500));
        }

        Assert.True(Volatile.Read(ref reloads) > 0, "a publish in the later-made directory was never seen");
    }

    [Fact]
    public async Task FailedReload_KeepsTheOldStamp_SoTheNextCheckRetries()
    {
        using var dir = new TempDir();
        var path = System.IO.Path.Combine(dir.Path, "manifest.json");
        Publish(path, "{\"generation\":1}");
        var attempts = 0;
        var succeed = false;
        using var watcher = new ManifestWatcher(path, dir.Path, ManifestWatcher.Stamp(path), Hour,
            () => { Interlocked.Increment(ref attempts); return Volatile.Read(ref succeed); }, _ => { });

        Publish(path, "{\"generation\":2, \"damaged\": true}");
        Assert.True(await Eventually(() => Volatile.Read(ref attempts) >= 1));
        Assert.False(watcher.Check()); // still failing: retried, not accepted
        var before = Volatile.Read(ref attempts);
        Assert.True(before >= 2);

        Volatile.Write(ref succeed, true);
        Assert.True(watcher.Check());
        Assert.False(watcher.Check()); // accepted now: nothing left to do
        Assert.Equal(before + 1, Volatile.Read(ref attempts));
    }

    [Fact]
    public void Dispose_StopsChecks()
    {
        using var dir = new TempDir();
        var path = System.IO.Path.Combine(dir.Path, "manifest.json");
        var reloads = 0;
        var watcher = new ManifestWatcher(path, dir.Path, ManifestWatcher.Stamp(path), Hour, () => { reloads++; return true; }, _ => { });
        watcher.Dispose();
        Publish(path, "{}");
        Assert.False(watcher.Check());
        Assert.Equal(0, reloads);
    }
}
