using Leakwatch.Catalog;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Privacy;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// Holds the served generation and swaps in the next one when <c>manifest.json</c> is replaced: a file watcher
/// on the data dir reacts at once, and a cheap periodic check of the manifest catches anything the watcher
/// missed. The old generation is released after a grace period and closed when its last request ends.
/// API keys are re-read on every reload and on a short interval.
/// </summary>
internal sealed partial class ExposureService : IDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private readonly ServerMetrics _metrics;
    private readonly IndexStore _store;
    private readonly string _keyFilePath;
    private readonly ManifestWatcher _watcher;
    private readonly Timer _keyTimer;
    private ServingState _state;
    private ApiKeyRing _keys = ApiKeyRing.Empty;
    private int _disposed;

    public ExposureService(ServerOptions options, ILogger<ExposureService> log, ServerMetrics metrics)
    {
        _options = options;
        _log = log;
        _metrics = metrics;
        _store = new IndexStore(options.DataDir);
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
        Phones = new Lazy<PhoneNormalizer>(() => new PhoneNormalizer(options.DefaultRegion));
        _ = Phones.Value; // fail at start on a bad region, not on the first request

        // The first load throws: a server that cannot read its index should not start.
        var stamp = ManifestWatcher.Stamp(_store.ManifestPath);
        _state = Open();
        RefreshKeys();
        _metrics.IndexGeneration.Set(_state.Generation);
        LogLoaded(_log, _state.Generation, _state.All.Count);

        _watcher = new ManifestWatcher(_store.ManifestPath, _store.DataDir, stamp, options.ReloadCheckInterval, Reload,
            message => LogWatcherUnavailable(_log, message));
        _keyTimer = new Timer(_ => RefreshKeysQuietly(), null, options.KeyRefreshInterval, options.KeyRefreshInterval);
    }

    public Lazy<PhoneNormalizer> Phones { get; }

    public ApiKeyRing Keys => Volatile.Read(ref _keys);

    /// <summary>The current generation without taking a reference (for catalogue endpoints: prepared bytes only).</summary>
    public ServingState Current => Volatile.Read(ref _state);

    /// <summary>Takes a reference to the current generation; the caller must <see cref="ServingState.Release"/> it.</summary>
    public ServingState Acquire()
    {
        while (true)
        {
            var s = Volatile.Read(ref _state);
            if (s.TryAddRef())
            {
                return s;
            }
        }
    }

    /// <summary>Swaps in the generation the manifest names (the watcher calls it when the manifest changed); never
    /// throws: false, keeping the old generation served, when the new one cannot be opened.</summary>
    private bool Reload()
    {
        try
        {
            var manifest = _store.ReadManifest();
            var current = Volatile.Read(ref _state);
            if (manifest.Generation == current.Generation && manifest.Index == current.Manifest.Index &&
                manifest.Published == current.Manifest.Published)
            {
                return true;
            }

            var next = Open();
            var old = Interlocked.Exchange(ref _state, next);
            _metrics.IndexGeneration.Set(next.Generation);
            _metrics.Reloads.Inc();
            LogReloaded(_log, old.Generation, next.Generation, next.All.Count);
            _ = Task.Delay(_options.RetireGrace).ContinueWith(_ => old.Release(), TaskScheduler.Default);
            RefreshKeysQuietly();
            return true;
        }
        catch (Exception e) when (e is IOException or IndexCorruptException or KeyFileException or InvalidOperationException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Messages name files, never identifiers.
            LogReloadFailed(_log, e.GetType().Name, e.Message);
            return false;
        }
    }

    private ServingState Open()
    {
        var manifest = _store.ReadManifest();
        if (manifest.Index is null && !File.Exists(_keyFilePath))
        {
            // A fresh data dir: serve an empty catalogue until the first ingest publishes.
            return new ServingState(null, [], manifest);
        }

        var lookup = ExposureLookup.Open(_store.DataDir, KeyFile.Load(_keyFilePath));
        try
        {
            return new ServingState(lookup, lookup.Breaches, lookup.Manifest);
        }
        catch
        {
            lookup.Dispose();
            throw;
        }
    }

    private void RefreshKeys()
    {
        var ring = new ApiKeyRing(ApiKeyStore.ReadAll(_store.DataDir));
        var old = Interlocked.Exchange(ref _keys, ring);
        if (old.Count != ring.Count)
        {
            LogKeys(_log, ring.Count);
        }
    }

    private void RefreshKeysQuietly()
    {
        try
        {
            RefreshKeys();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            LogKeysFailed(_log, e.Message);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watcher.Dispose();
        _keyTimer.Dispose();
        _state.Release();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving index generation {Generation} with {Breaches} breaches")]
    private static partial void LogLoaded(ILogger log, long generation, int breaches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded index: generation {OldGeneration} -> {Generation}, {Breaches} breaches")]
    private static partial void LogReloaded(ILogger log, long oldGeneration, long generation, int breaches);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index reload failed, still serving the previous generation: {Error}: {Message}")]
    private static partial void LogReloadFailed(ILogger log, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher unavailable, relying on the periodic manifest check: {Message}")]
    private static partial void LogWatcherUnavailable(ILogger log, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys loaded: {Count} active")]
    private static partial void LogKeys(ILogger log, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading API keys failed, keeping the previous set: {Message}")]
    private static partial void LogKeysFailed(ILogger log, string message);
}
