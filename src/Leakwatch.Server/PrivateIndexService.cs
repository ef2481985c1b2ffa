using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage.Publishing;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// Serves <c>private/manifest.json</c>'s index and follows it: a watcher on the data dir and a periodic check reload
/// it when a build publishes, with the OPRF key re-read from the key file (a rotation publishes under the pending
/// key, which the server finds there). A failed reload keeps the previous index served.
/// </summary>
internal sealed partial class PrivateIndexService : IGenerationSource<PrivateServingState>, IDisposable
{
    private readonly ILogger _log;
    private readonly ServerMetrics _metrics;
    private readonly PrivateIndexStore _store;
    private readonly string _keyFilePath;
    private readonly PublishedGenerationHolder<PrivateServingState> _holder;
    private int _disposed;
    private bool _withdrawn;

    public PrivateIndexService(ServerOptions options, ILogger<PrivateIndexService> log, ServerMetrics metrics)
    {
        _log = log;
        _metrics = metrics;
        _store = new PrivateIndexStore(options.DataDir);
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);

        // A private index that exists but cannot be served stops the start, as the exposure index does.
        // The private directory may not exist until the first build: watch the data dir below.
        _holder = new PublishedGenerationHolder<PrivateServingState>(this, _store.ManifestPath, _store.DataDir,
            options.ReloadCheckInterval, options.RetireGrace, options.WatchFiles);
        if (_holder.Current is { } served)
        {
            _metrics.PrivateIndexGeneration.Set(served.Manifest.Generation);
            LogLoaded(_log, served.Manifest.Generation, served.Manifest.KeyId);
        }
    }

    /// <summary>The served index with a reference taken (release it), or null when there is none.</summary>
    public PrivateServingState? Acquire() => _holder.Acquire();

    /// <summary>True while the published private manifest withdraws the private tier (a listing change could not
    /// rewrite the entries of a breach it hides): lookups then answer 503, not 404.</summary>
    public bool Withdrawn => Volatile.Read(ref _withdrawn);

    PrivateServingState? IGenerationSource<PrivateServingState>.Open()
    {
        var manifest = _store.ReadManifest();
        Volatile.Write(ref _withdrawn, manifest?.IsWithdrawn == true);
        return manifest is null || manifest.IsWithdrawn ? null : Open(manifest);
    }

    private PrivateServingState Open(PrivateManifest manifest)
    {
        var keys = KeyFile.Load(_keyFilePath);
        var key = keys.FindOprfKey(manifest.KeyId)
            ?? throw new KeyFileException($"{_keyFilePath}: the private index needs OPRF key {manifest.KeyId}, which the key file does not hold");
        // Opened with the key: a key file whose key did not write the index is refused here (key check), not served.
        return new PrivateServingState(_store.OpenPublished(manifest, key), key, manifest);
    }

    /// <summary>The same index under the same key: the breach list changed (a remove), not the index.</summary>
    bool IGenerationSource<PrivateServingState>.IsCurrent(PrivateServingState? current)
    {
        var manifest = _store.ReadManifest();
        if (current is null)
        {
            return manifest is { IsWithdrawn: true } && Withdrawn; // withdrawn, and already known to be
        }

        return manifest is not null && manifest.Index == current.Manifest.Index && manifest.KeyId == current.Key.KeyId;
    }

    void IGenerationSource<PrivateServingState>.Reloaded(PrivateServingState? old, PrivateServingState? next)
    {
        _metrics.PrivateIndexGeneration.Set(next?.Manifest.Generation ?? 0);
        LogReloaded(_log, old?.Manifest.Generation ?? 0, next?.Manifest.Generation ?? 0, next?.Manifest.KeyId ?? "-");
    }

    void IGenerationSource<PrivateServingState>.ReloadFailed(Exception e) => LogReloadFailed(_log, e.GetType().Name, e.Message);

    void IGenerationSource<PrivateServingState>.WatcherUnavailable(string message) => LogWatcherUnavailable(_log, message);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _holder.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving private index generation {Generation} (OPRF key {KeyId})")]
    private static partial void LogLoaded(ILogger log, long generation, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded private index: generation {OldGeneration} -> {Generation} (OPRF key {KeyId})")]
    private static partial void LogReloaded(ILogger log, long oldGeneration, long generation, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Private index reload failed, still serving the previous one: {Error}: {Message}")]
    private static partial void LogReloadFailed(ILogger log, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher unavailable for the private index, relying on the periodic check: {Message}")]
    private static partial void LogWatcherUnavailable(ILogger log, string message);
}
