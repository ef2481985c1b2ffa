namespace Leakwatch.Storage.Publishing;

/// <summary>
/// Follows one manifest file of a served index. A file watcher reacts at once; the several events of one
/// atomic rename are settled by a short delay into one check. A periodic check catches whatever the watcher
/// misses (inotify limits, network file systems). The reload callback runs under one lock, and only when the
/// file's (write time, length) stamp differs from the last stamp a reload accepted. The stamp is taken before
/// the callback reads the manifest, so a publish racing the read is seen by the next check. The callback
/// returns false when it failed; the stamp is then not accepted and the next check retries.
/// </summary>
public sealed class ManifestWatcher : IDisposable
{
    private readonly string _path;
    private readonly Func<bool> _reload;
    private readonly Lock _lock = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _timer;
    private (DateTime WriteTime, long Length) _accepted;
    private int _disposed;

    /// <param name="path">The manifest.</param>
    /// <param name="watchRoot">The directory to watch: the manifest's own, or an ancestor (with subdirectories)
    /// when the manifest's directory may not exist yet; the watcher never creates it.</param>
    /// <param name="accepted">The stamp of the manifest the caller serves now (<see cref="Stamp"/>, taken before reading it).</param>
    /// <param name="interval">How often the periodic check runs.</param>
    /// <param name="reload">Reloads from the manifest; false when it failed.</param>
    /// <param name="watcherUnavailable">Told why the file watcher could not start (the periodic check still runs).</param>
    /// <param name="watchFiles">False: the periodic check alone, as when the watcher cannot start.</param>
    public ManifestWatcher(string path, string watchRoot, (DateTime, long) accepted, TimeSpan interval, Func<bool> reload,
        Action<string> watcherUnavailable, bool watchFiles = true)
    {
        _path = Path.GetFullPath(path);
        _reload = reload;
        _accepted = accepted;
        if (watchFiles)
        {
            _watcher = StartWatcher(Path.GetFullPath(watchRoot), watcherUnavailable);
        }
        else
        {
            watcherUnavailable("file watching is turned off");
        }

        _timer = new Timer(_ => Check(), null, interval, interval);
    }

    private FileSystemWatcher? StartWatcher(string root, Action<string> watcherUnavailable)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            Directory.CreateDirectory(root);
            watcher = new FileSystemWatcher(root, Path.GetFileName(_path))
            {
                IncludeSubdirectories = !string.Equals(root.TrimEnd(Path.DirectorySeparatorChar), Path.GetDirectoryName(_path), StringComparison.Ordinal),
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.CreationTime | NotifyFilters.Size,
            };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Renamed += OnEvent;
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (IOException e)
        {
            watcher?.Dispose();
            watcherUnavailable(e.Message);
            return null;
        }
    }

    /// <summary>The (last write time, length) of a manifest; (default, -1) when there is none.</summary>
    public static (DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (default, -1);
    }

    /// <summary>Runs the reload if the manifest's stamp changed since the last accepted one. True when it ran and succeeded.</summary>
    public bool Check()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        lock (_lock)
        {
            var stamp = Stamp(_path);
            if (stamp == _accepted || Volatile.Read(ref _disposed) != 0 || !_reload())
            {
                return false;
            }

            _accepted = stamp;
            return true;
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (string.Equals(e.FullPath, _path, StringComparison.Ordinal))
        {
            _ = Task.Delay(50).ContinueWith(_ => Check(), TaskScheduler.Default);
        }
    }

    /// <summary>Stops watching; returns once no reload is running, so the caller may then free what it serves.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watcher?.Dispose();
        _timer.Dispose();
        lock (_lock)
        {
            // Taken only to wait for a reload that started before the flag was set.
            _accepted = default;
        }
    }
}
