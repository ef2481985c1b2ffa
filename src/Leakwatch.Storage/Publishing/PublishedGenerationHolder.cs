namespace Leakwatch.Storage.Publishing;

/// <summary>
/// Holds the served generation of one store and follows its manifest: when a publish replaces the manifest
/// (<see cref="ManifestWatcher"/>), the next generation is opened and swapped in, and the old one gives up the
/// holder's reference after a grace period, so it is freed (its files unmapped) once the last request that
/// borrowed it releases it. A failed reload keeps the old generation served.
/// </summary>
public sealed class PublishedGenerationHolder<T> : IDisposable
    where T : PublishedGeneration
{
    private readonly IGenerationSource<T> _source;
    private readonly TimeSpan _retireGrace;
    private readonly ManifestWatcher _watcher;
    private readonly Lock _reloadLock = new();
    private T? _current;
    private int _disposed;

    /// <summary>Opens the current generation (an exception from that first open propagates: a server that cannot
    /// read its store should not start) and starts following the manifest.</summary>
    /// <param name="watchRoot">See <see cref="ManifestWatcher"/>: the manifest's directory or an ancestor of it.</param>
    /// <param name="watchFiles">False: no file watcher, the periodic check alone (as when inotify is unavailable).</param>
    public PublishedGenerationHolder(IGenerationSource<T> source, string manifestPath, string watchRoot,
        TimeSpan checkInterval, TimeSpan retireGrace, bool watchFiles = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _retireGrace = retireGrace;

        // Stamped before the open, so a publish racing it is seen by the first check.
        var stamp = ManifestWatcher.Stamp(manifestPath);
        _current = source.Open();
        _watcher = new ManifestWatcher(manifestPath, watchRoot, stamp, checkInterval, Reload, source.WatcherUnavailable, watchFiles);
    }

    /// <summary>The current generation without taking a reference: only for what outlives a free (managed data).</summary>
    public T? Current => Volatile.Read(ref _current);

    /// <summary>The current generation with a reference taken, which the caller must release; null when nothing is published.</summary>
    public T? Acquire()
    {
        while (true)
        {
            var g = Volatile.Read(ref _current);
            if (g is null || g.TryAddRef())
            {
                return g;
            }
        }
    }

    /// <summary>Checks the manifest now rather than at the next event or interval; true when a reload ran and succeeded.</summary>
    public bool CheckNow() => _watcher.Check();

    /// <summary>Asks the source whether the current generation is still current, whatever the manifest's stamp,
    /// and reloads if not: for a store whose served state also depends on files other than the manifest.</summary>
    /// <returns>False when a reload was needed and failed.</returns>
    public bool Revalidate() => Volatile.Read(ref _disposed) == 0 && Reload();

    private bool Reload()
    {
        // The watcher's thread and a Revalidate caller must not open and swap two generations at once.
        lock (_reloadLock)
        {
            return ReloadLocked();
        }
    }

    private bool ReloadLocked()
    {
        try
        {
            if (_source.IsCurrent(Volatile.Read(ref _current)))
            {
                return true;
            }

            var next = _source.Open();
            var old = Interlocked.Exchange(ref _current, next);
            _source.Reloaded(old, next);
            if (old is not null)
            {
                _ = Task.Delay(_retireGrace).ContinueWith(_ =>
                {
                    old.Release();
                    ReclaimRetired();
                }, TaskScheduler.Default);
            }

            return true;
        }
        catch (Exception e) when (_source.IsReloadFailure(e))
        {
            _source.ReloadFailed(e);
            return false;
        }
    }

    /// <summary>
    /// A retired generation's managed tables (on the large-object heap) would otherwise wait for the next full
    /// collection, which a steady request load may not bring for many publishes, so the process's memory would climb
    /// with each publish until then (the soak saw +26% over ten cycles). A publish is rare (minutes apart), so one
    /// compacting collection that returns the freed memory to the system is cheap there (tens of milliseconds).
    /// </summary>
    private static void ReclaimRetired()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>Stops following the manifest and drops the holder's reference to the current generation.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Returns once no reload runs, so the generation released below is the last one swapped in.
        _watcher.Dispose();
        lock (_reloadLock)
        {
            Volatile.Read(ref _current)?.Release();
        }
    }
}
