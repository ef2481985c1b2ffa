using Leakwatch.Core.Errors;
using Leakwatch.Catalog;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Storage.Publishing;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// Holds the served generation and swaps in the next one when <c>manifest.json</c> is replaced: a file watcher
/// on the data dir reacts at once, and a cheap periodic check of the manifest catches anything the watcher
/// missed (<see cref="PublishedGenerationHolder{T}"/>). The old generation is released after a grace period and
/// closed when its last request ends. A catalogue write (<c>breach set --sensitive</c>, a removal) replaces
/// <c>catalog.revision</c> (<see cref="CatalogRevision"/>), which is followed the same way, watcher and periodic
/// check, and reopens the generation with the new rows. API keys are re-read on every reload and on a short interval.
/// With PostgreSQL state there is no file to watch: the state revision is polled instead (<see cref="StatePoll"/>),
/// and while PostgreSQL is unreachable the server keeps serving the catalogue and keys it holds.
/// </summary>
internal sealed partial class ExposureService : IGenerationSource<ServingState>, IDisposable
{
    private readonly ILogger _log;
    private readonly ServerMetrics _metrics;
    private readonly ExposureIndexStore _store;
    private readonly string _keyFilePath;
    private readonly PublishedGenerationHolder<ServingState> _holder;
    private readonly StateLocation _state;
    private readonly ManifestWatcher? _catalogWatcher;
    private readonly Timer? _keyTimer;
    private readonly StatePoll? _statePoll;
    private ApiKeyRing _keys = ApiKeyRing.Empty;
    private int _disposed;

    public ExposureService(ServerOptions options, ILogger<ExposureService> log, ServerMetrics metrics)
    {
        _log = log;
        _metrics = metrics;
        _store = new ExposureIndexStore(options.DataDir);
        _state = options.State ?? StateLocation.Embedded;
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
        Phones = new Lazy<PhoneNormalizer>(() => new PhoneNormalizer(options.DefaultRegion));
        _ = Phones.Value; // fail at start on a bad region, not on the first request

        if (!_state.IsEmbedded)
        {
            // Creates or migrates the shared schema (under PostgreSQL's advisory lock): the first replica of a new
            // cluster may start before any writer has touched the store.
            StateStore.Open(_state, _store.DataDir).Dispose();
        }

        // The first load throws: a server that cannot read its index should not start.
        var catalogStamp = ManifestWatcher.Stamp(RevisionPath);
        _holder = new PublishedGenerationHolder<ServingState>(this, _store.ManifestPath, _store.DataDir,
            options.ReloadCheckInterval, options.RetireGrace, options.WatchFiles);
        RefreshKeys();
        var state = Current;
        _metrics.IndexGeneration.Set(state.Generation);
        LogLoaded(_log, state.Generation, state.All.Count);
        if (_state.IsEmbedded)
        {
            _catalogWatcher = new ManifestWatcher(RevisionPath, _store.DataDir, catalogStamp, options.ReloadCheckInterval,
                FollowCatalog, _ => { } /* the holder, watching the same directory, reports it */, options.WatchFiles);
            _keyTimer = new Timer(_ => RefreshKeysQuietly(), null, options.KeyRefreshInterval, options.KeyRefreshInterval);
        }
        else
        {
            _statePoll = new StatePoll(_state, state.CatalogRevision, options.StatePollInterval, _log, StateChanged);
        }
    }

    /// <summary>The poll saw a new revision, or PostgreSQL back after an outage: reload the rows and the keys.</summary>
    private void StateChanged()
    {
        try
        {
            _holder.Revalidate();
        }
        finally
        {
            // Keys are rows of their own: a generation that fails to reload must not keep new keys out.
            RefreshKeysQuietly();
        }
    }

    /// <summary>The revision a reload compares with: the file's token, or the last one the poll read (no query).</summary>
    private string KnownRevision() => _statePoll?.Revision ?? StateStore.ReadRevision(_state, _store.DataDir);

    public Lazy<PhoneNormalizer> Phones { get; }

    private string RevisionPath => Path.Combine(_store.DataDir, CatalogRevision.FileName);

    public ApiKeyRing Keys => Volatile.Read(ref _keys);

    /// <summary>The current generation without taking a reference (for catalogue endpoints: prepared bytes only).</summary>
    public ServingState Current => _holder.Current!;

    /// <summary>Takes a reference to the current generation; the caller must <see cref="ServingState.Release"/> it.</summary>
    public ServingState Acquire() => _holder.Acquire()!;

    bool IGenerationSource<ServingState>.IsCurrent(ServingState? current)
    {
        var manifest = _store.ReadManifest();
        return current is not null && manifest.Generation == current.Generation && manifest.Index == current.Manifest.Index &&
            manifest.Published == current.Manifest.Published && KnownRevision() == current.CatalogRevision;
    }

    /// <summary>The catalogue watcher's reload: reopens the generation if the revision moved. A revision written in
    /// the last two seconds is not taken as settled, so the periodic check looks again: on a file system with
    /// one-second timestamps a second write of the same length in the same second leaves the stamp unchanged.</summary>
    private bool FollowCatalog()
    {
        if (!_holder.Revalidate())
        {
            return false;
        }

        var written = File.GetLastWriteTimeUtc(RevisionPath);
        return DateTime.UtcNow - written > TimeSpan.FromSeconds(2);
    }

    /// <summary>Any failure to open a new generation leaves the old one served, logged with its type and message:
    /// a replica must not end because one publish could not be read (a file format error, a state row it cannot
    /// parse, a database error the state store did not wrap), only for running out of memory.</summary>
    bool IGenerationSource<ServingState>.IsReloadFailure(Exception e) => e is not (OutOfMemoryException or InsufficientExecutionStackException);

    void IGenerationSource<ServingState>.Reloaded(ServingState? old, ServingState? next)
    {
        _metrics.IndexGeneration.Set(next!.Generation);
        _metrics.Reloads.Inc();
        if (old!.Generation == next.Generation)
        {
            LogCatalogReloaded(_log, next.Generation, next.All.Count);
        }
        else
        {
            LogReloaded(_log, old.Generation, next.Generation, next.All.Count);
        }

        RefreshKeysQuietly();
    }

    // Messages name files, never identifiers.
    void IGenerationSource<ServingState>.ReloadFailed(Exception e) => LogReloadFailed(_log, e.GetType().Name, e.Message);

    void IGenerationSource<ServingState>.WatcherUnavailable(string message) => LogWatcherUnavailable(_log, message);

    /// <summary>The generation the manifest names; never null (a fresh data dir serves an empty catalogue).</summary>
    ServingState? IGenerationSource<ServingState>.Open()
    {
        // Read before the catalogue, so a write racing this open leaves a revision that differs from the one kept.
        var revision = _state.IsEmbedded ? CatalogRevision.Read(_store.DataDir) : StateStore.ReadRevision(_state, _store.DataDir);
        var manifest = _store.ReadManifest();
        if (manifest.Index is null && !File.Exists(_keyFilePath))
        {
            // A fresh data dir: serve an empty catalogue until the first ingest publishes.
            return new ServingState(null, [], manifest, revision);
        }

        var keys = KeyFile.Load(_keyFilePath);
        var lookup = ExposureLookup.Open(_store.DataDir, keys, _state);
        Leakwatch.Index.Stealer.StealerSiteFile? stealerSites = null, emailDomains = null, websites = null;
        Leakwatch.Privacy.DomainStoreReader? domainStore = null;
        try
        {
            // The rows are read here, not on the first request: a store that is down fails the reload, and the
            // previous generation keeps serving.
            _ = lookup.Breaches;
            stealerSites = lookup.Manifest.StealerSites is { } sites
                ? Leakwatch.Index.Stealer.StealerSiteFile.Open(Path.Combine(_store.DataDir, sites))
                : null;
            // The domain store (issue 16): a store written under another key file fails the reload in one line.
            domainStore = lookup.Manifest.DomainStore is { } domains
                ? Leakwatch.Privacy.DomainStoreReader.Open(Path.Combine(_store.DataDir, domains), keys)
                : null;
            emailDomains = OpenStealer(lookup.Manifest.StealerEmailDomains);
            websites = OpenStealer(lookup.Manifest.StealerWebsites);
            return new ServingState(lookup, lookup.Breaches, lookup.Manifest, revision)
            {
                DomainStore = domainStore,
                StealerSites = stealerSites,
                StealerSealer = stealerSites is null ? null : new Leakwatch.Privacy.StealerSiteSealer(keys),
                // Stealer logs by email domain and by website domain (issue 16).
                StealerEmailDomains = emailDomains,
                StealerWebsites = websites,
                StealerTagger = new Leakwatch.Privacy.StealerTagger(keys),
                StealerEmailDomainSealer = new Leakwatch.Privacy.StealerSiteSealer(
                    new Leakwatch.Privacy.StealerSealSession(keys, Leakwatch.Privacy.StealerSiteSealer.EmailDomainsContext)),
                StealerWebsiteSealer = new Leakwatch.Privacy.StealerSiteSealer(
                    new Leakwatch.Privacy.StealerSealSession(keys, Leakwatch.Privacy.StealerSiteSealer.WebsitesContext)),
            };
        }
        catch
        {
            stealerSites?.Dispose();
            domainStore?.Dispose();
            emailDomains?.Dispose();
            websites?.Dispose();
            lookup.Dispose();
            throw;
        }
    }

    private Leakwatch.Index.Stealer.StealerSiteFile? OpenStealer(string? relative) =>
        relative is null ? null : Leakwatch.Index.Stealer.StealerSiteFile.Open(Path.Combine(_store.DataDir, relative));

    private void RefreshKeys()
    {
        List<ApiKey> keys;
        using (var store = StateStore.OpenReadOnly(_state, _store.DataDir))
        {
            keys = store?.Keys() ?? [];
        }

        var ring = new ApiKeyRing(keys);
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
        catch (Exception e) when (e is IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or LeakwatchException)
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

        _statePoll?.Dispose();
        _catalogWatcher?.Dispose();
        _holder.Dispose();
        _keyTimer?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving index generation {Generation} with {Breaches} breaches")]
    private static partial void LogLoaded(ILogger log, long generation, int breaches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded index: generation {OldGeneration} -> {Generation}, {Breaches} breaches")]
    private static partial void LogReloaded(ILogger log, long oldGeneration, long generation, int breaches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded the catalogue of index generation {Generation}: {Breaches} breaches")]
    private static partial void LogCatalogReloaded(ILogger log, long generation, int breaches);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index reload failed, still serving the previous generation: {Error}: {Message}")]
    private static partial void LogReloadFailed(ILogger log, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher unavailable, relying on the periodic manifest check: {Message}")]
    private static partial void LogWatcherUnavailable(ILogger log, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys loaded: {Count} active")]
    private static partial void LogKeys(ILogger log, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading API keys failed, keeping the previous set: {Message}")]
    private static partial void LogKeysFailed(ILogger log, string message);
}
