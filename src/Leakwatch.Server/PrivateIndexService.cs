using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Private;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>One published private index as served: the mapped file and the OPRF key its manifest names.
/// Reference counted like <see cref="ServingState"/>, so a reload never unmaps a bucket being sent.</summary>
internal sealed class PrivateServingState : RefCountedState
{

    public PrivateServingState(PrivateIndexReader index, OprfServerKey key, PrivateManifest manifest)
    {
        Index = index;
        Key = key;
        Manifest = manifest;
        SaltBase64 = Convert.ToBase64String(index.Salt);
    }

    public PrivateIndexReader Index { get; }

    public OprfServerKey Key { get; }

    public PrivateManifest Manifest { get; }

    public string SaltBase64 { get; }

    /// <summary>The rendered config for one plain generation (the breach list comes from the catalogue).</summary>
    public (ServingState Plain, byte[] Json)? Config;

    protected override void Free() => Index.Dispose();
}

/// <summary>
/// Serves <c>private/manifest.json</c>'s index and follows it: a watcher on the data dir and a periodic check reload
/// it when a build publishes, with the OPRF key re-read from the key file (a rotation publishes under the pending
/// key, which the server finds there). A failed reload keeps the previous index served.
/// </summary>
internal sealed partial class PrivateIndexService : IDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private readonly ServerMetrics _metrics;
    private readonly PrivateIndexStore _store;
    private readonly string _keyFilePath;
    private readonly ManifestWatcher _watcher;
    private PrivateServingState? _state;
    private int _disposed;

    public PrivateIndexService(ServerOptions options, ILogger<PrivateIndexService> log, ServerMetrics metrics)
    {
        _options = options;
        _log = log;
        _metrics = metrics;
        _store = new PrivateIndexStore(options.DataDir);
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);

        // A private index that exists but cannot be served stops the start, as the exposure index does.
        var stamp = ManifestWatcher.Stamp(_store.ManifestPath);
        var manifest = _store.ReadManifest();
        if (manifest is not null)
        {
            _state = Open(manifest);
            _metrics.PrivateIndexGeneration.Set(manifest.Generation);
            LogLoaded(_log, manifest.Generation, manifest.KeyId);
        }

        // The private directory may not exist until the first build: watch the data dir below.
        _watcher = new ManifestWatcher(_store.ManifestPath, _store.DataDir, stamp, options.ReloadCheckInterval, Reload,
            message => LogWatcherUnavailable(_log, message));
    }

    /// <summary>The served index with a reference taken (release it), or null when there is none.</summary>
    public PrivateServingState? Acquire()
    {
        while (true)
        {
            var s = Volatile.Read(ref _state);
            if (s is null || s.TryAddRef())
            {
                return s;
            }
        }
    }

    private PrivateServingState Open(PrivateManifest manifest)
    {
        var keys = KeyFile.Load(_keyFilePath);
        var key = keys.FindOprfKey(manifest.KeyId)
            ?? throw new KeyFileException($"{_keyFilePath}: the private index needs OPRF key {manifest.KeyId}, which the key file does not hold");
        return new PrivateServingState(_store.OpenPublished(manifest), key, manifest);
    }

    /// <summary>Serves the index the private manifest names; false (keeping the previous one) when it cannot be opened.</summary>
    private bool Reload()
    {
        try
        {
            var manifest = _store.ReadManifest();
            var current = Volatile.Read(ref _state);
            if (manifest is not null && current is not null && manifest.Index == current.Manifest.Index && manifest.KeyId == current.Key.KeyId)
            {
                return true; // the breach list changed (a remove), not the index
            }

            var next = manifest is null ? null : Open(manifest);
            var old = Interlocked.Exchange(ref _state, next);
            _metrics.PrivateIndexGeneration.Set(manifest?.Generation ?? 0);
            LogReloaded(_log, old?.Manifest.Generation ?? 0, manifest?.Generation ?? 0, manifest?.KeyId ?? "-");
            if (old is not null)
            {
                _ = Task.Delay(_options.RetireGrace).ContinueWith(_ => old.Release(), TaskScheduler.Default);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or PrivateIndexException or KeyFileException or UnauthorizedAccessException)
        {
            LogReloadFailed(_log, e.GetType().Name, e.Message);
            return false;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watcher.Dispose();
        _state?.Release();
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
