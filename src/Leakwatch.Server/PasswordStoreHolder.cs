using System.Buffers;
using Leakwatch.Passwords;
using Leakwatch.Storage.Publishing;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// The published password store, reopened when an ingest publishes a new generation (the same
/// <see cref="PublishedGenerationHolder{T}"/> as the indexes, so no request ever touches the manifest or opens
/// files, and an old generation is unmapped after the grace period once its last request is done), with a
/// bounded cache of rendered range bodies: a store generation is immutable, so a body rendered once stays right
/// until the next publish. The cache stops growing at its byte budget (no eviction: ranges are uniformly popular,
/// as HIBP's CDN statistics show, so a frozen subset serves as well as an LRU) and is dropped with its generation.
/// </summary>
internal sealed partial class PasswordStoreHolder : IGenerationSource<PasswordGeneration>, IDisposable
{
    private const long CacheBudgetBytes = 256L << 20;
    private readonly string _dataDir;
    private readonly ILogger<PasswordStoreHolder> _log;
    private readonly PublishedGenerationHolder<PasswordGeneration> _holder;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_render;

    /// <summary>Opens the store; a store that exists but cannot be read stops the start.</summary>
    public PasswordStoreHolder(ServerOptions options, ILogger<PasswordStoreHolder> log)
    {
        _dataDir = options.DataDir;
        _log = log;
        var manifest = Path.Combine(options.DataDir, "passwords", "manifest.json");
        _holder = new PublishedGenerationHolder<PasswordGeneration>(this, manifest, options.DataDir,
            options.ReloadCheckInterval, options.RetireGrace, options.WatchFiles);
    }

    /// <summary>A body already rendered; the cache holds copies, so it is read without borrowing the generation.</summary>
    public RenderedRange? TryGetRendered(PasswordHashMode mode, ReadOnlySpan<char> prefix)
        => _holder.Current!.Cache.TryGetValue(CacheKey(mode, prefix), out var hit) ? hit : null;

    /// <summary>The range's body, rendered from the store (and cached within budget) if not cached yet.</summary>
    public RenderedRange Get(PasswordHashMode mode, ReadOnlySpan<char> prefix)
    {
        var generation = _holder.Acquire()!;
        try
        {
            return Get(generation, mode, prefix);
        }
        finally
        {
            generation.Release();
        }
    }

    private static RenderedRange Get(PasswordGeneration generation, PasswordHashMode mode, ReadOnlySpan<char> prefix)
    {
        var key = CacheKey(mode, prefix);
        if (generation.Cache.TryGetValue(key, out var hit))
        {
            return hit;
        }

        var store = generation.Store;
        var buffer = t_render ??= new ArrayBufferWriter<byte>(64 * 1024);
        buffer.ResetWrittenCount();
        var lines = store?.WriteRange(mode, prefix, buffer) ?? 0;
        var etag = store?.ETag(mode, prefix) ?? $"\"empty-{(mode == PasswordHashMode.Ntlm ? "ntlm" : "sha1")}\"";
        var rendered = new RenderedRange(buffer.WrittenSpan.ToArray(), lines, etag);
        // Budget the gzip form too, which takes about half the plain size once a client asks for it.
        if (Interlocked.Add(ref generation.CacheBytes, rendered.Body.Length + rendered.Body.Length / 2) <= CacheBudgetBytes)
        {
            generation.Cache.TryAdd(key, rendered);
        }

        return rendered;
    }

    private static int CacheKey(PasswordHashMode mode, ReadOnlySpan<char> prefix)
        => (int.Parse(prefix, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) << 1)
            | (mode == PasswordHashMode.Ntlm ? 1 : 0);

    PasswordGeneration? IGenerationSource<PasswordGeneration>.Open() => new(PasswordRangeStore.Open(_dataDir));

    // Every manifest change is a publish of the store itself.
    bool IGenerationSource<PasswordGeneration>.IsCurrent(PasswordGeneration? current) => false;

    void IGenerationSource<PasswordGeneration>.Reloaded(PasswordGeneration? old, PasswordGeneration? next)
    {
    }

    void IGenerationSource<PasswordGeneration>.ReloadFailed(Exception e) => LogReloadFailed(_log, e.GetType().Name, e.Message);

    void IGenerationSource<PasswordGeneration>.WatcherUnavailable(string message) => LogWatcherUnavailable(_log, message);

    public void Dispose() => _holder.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password store reload failed, still serving the previous generation: {Error}: {Message}")]
    private static partial void LogReloadFailed(ILogger logger, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher unavailable for the password store, relying on the periodic manifest check: {Message}")]
    private static partial void LogWatcherUnavailable(ILogger logger, string message);
}
