using System.Buffers;
using Leakwatch.Passwords;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Leakwatch.Server;

/// <summary>Endpoint metadata: the Pwned Passwords range API, anonymous, with its own per-IP rate.</summary>
internal sealed class RangeAccess
{
    public static readonly RangeAccess Instance = new();
}

/// <summary>
/// Pwned Passwords range API, wire-compatible with api.pwnedpasswords.com: <c>GET /range/{5 hex}</c> answers
/// every valid prefix (never 404) with uppercase <c>SUFFIX:COUNT</c> lines joined by CRLF, <c>?mode=ntlm</c>
/// for NTLM, <c>Add-Padding: true</c> for 800–1,000 lines, ETag/304, a month of public caching and CORS.
/// </summary>
internal static class PwnedPasswordsEndpoints
{
    private static readonly byte[] InvalidPrefix = "The hash prefix was not in a valid format"u8.ToArray();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_body;

    public static void Map(IEndpointRouteBuilder app, PasswordStoreHolder store)
    {
        app.MapGet("/range/{prefix}", (HttpContext ctx, string prefix) => Range(ctx, prefix, store))
            .WithMetadata(RangeAccess.Instance)
            .WithName("PwnedPasswordsRange").WithTags("Pwned Passwords")
            .WithSummary("Hash suffixes and counts for a 5-hex SHA-1 (or ?mode=ntlm NTLM) prefix; k-anonymous")
            .Produces<string>(StatusCodes.Status200OK, "text/plain").Produces(StatusCodes.Status400BadRequest);
        app.MapMethods("/range/{prefix}", [HttpMethods.Options], (HttpContext ctx) =>
        {
            // CORS preflight: browsers ask before sending the non-simple Add-Padding header.
            var h = ctx.Response.Headers;
            h.AccessControlAllowOrigin = "*";
            h.AccessControlAllowMethods = "GET, OPTIONS";
            h.AccessControlAllowHeaders = "Add-Padding";
            h.AccessControlMaxAge = "86400";
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }).WithMetadata(RangeAccess.Instance).ExcludeFromDescription();
    }

    private static Task Range(HttpContext ctx, string prefix, PasswordStoreHolder holder)
    {
        var response = ctx.Response;
        response.Headers.AccessControlAllowOrigin = "*";
        if (!PasswordRangeStore.IsValidPrefix(prefix))
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            response.ContentType = "text/plain";
            response.ContentLength = InvalidPrefix.Length;
            return response.Body.WriteAsync(InvalidPrefix).AsTask();
        }

        var mode = ctx.Request.Query.TryGetValue("mode", out var m) && string.Equals(m.ToString(), "ntlm", StringComparison.OrdinalIgnoreCase)
            ? PasswordHashMode.Ntlm
            : PasswordHashMode.Sha1;
        var padding = string.Equals(ctx.Request.Headers["Add-Padding"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var range = holder.Get(mode, prefix);

        // The ETag names the real lines; a padded body differs every time, so it is only weakly equal.
        var tag = range.ETag;
        var etag = padding ? "W/" + tag : tag;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "public, max-age=2678400";
        response.Headers.Vary = "Add-Padding";
        var ifNoneMatch = ctx.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length > 0 && (ifNoneMatch == "*" || ifNoneMatch.Contains(tag, StringComparison.Ordinal)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = "text/plain";
        if (!padding)
        {
            response.ContentLength = range.Body.Length;
            return response.Body.WriteAsync(range.Body).AsTask();
        }

        var body = t_body ??= new ArrayBufferWriter<byte>(64 * 1024);
        body.ResetWrittenCount();
        body.Write(range.Body);
        PasswordRangeStore.AppendPadding(mode, range.Lines, body);
        response.ContentLength = body.WrittenCount;
        return response.Body.WriteAsync(body.WrittenMemory).AsTask();
    }
}

/// <summary>A rendered range body with its line count and strong ETag.</summary>
internal sealed record RenderedRange(byte[] Body, int Lines, string ETag);

/// <summary>
/// The published password store, reopened when an ingest publishes a new generation, with a bounded cache of
/// rendered range bodies: a store generation is immutable, so a body rendered once stays right until the next
/// publish. The cache stops growing at its byte budget (no eviction: ranges are uniformly popular, as HIBP's
/// CDN statistics show, so a frozen subset serves as well as an LRU) and is dropped with its generation.
/// </summary>
internal sealed class PasswordStoreHolder : IDisposable
{
    private const long CacheBudgetBytes = 256L << 20;
    private readonly string _dataDir;
    private readonly string _manifest;
    private readonly Lock _reopen = new();
    private Snapshot _current = new(null);
    private DateTime _seenWrite;
    private long _nextCheck;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_render;

    public PasswordStoreHolder(ServerOptions options)
    {
        _dataDir = options.DataDir;
        _manifest = Path.Combine(options.DataDir, "passwords", "manifest.json");
        Refresh();
    }

    /// <summary>A store generation and the bodies rendered from it, swapped as one so a body never outlives its store.</summary>
    private sealed class Snapshot(PasswordRangeStore? store)
    {
        public PasswordRangeStore? Store { get; } = store;
        public System.Collections.Concurrent.ConcurrentDictionary<int, RenderedRange> Cache { get; } = new();
        public long CacheBytes;
    }

    public RenderedRange Get(PasswordHashMode mode, ReadOnlySpan<char> prefix)
    {
        var snapshot = CurrentSnapshot;
        var key = (int.Parse(prefix, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) << 1)
            | (mode == PasswordHashMode.Ntlm ? 1 : 0);
        if (snapshot.Cache.TryGetValue(key, out var hit))
        {
            return hit;
        }

        var store = snapshot.Store;
        var buffer = t_render ??= new ArrayBufferWriter<byte>(64 * 1024);
        buffer.ResetWrittenCount();
        var lines = store?.WriteRange(mode, prefix, buffer) ?? 0;
        var etag = store?.ETag(mode, prefix) ?? $"\"empty-{(mode == PasswordHashMode.Ntlm ? "ntlm" : "sha1")}\"";
        var rendered = new RenderedRange(buffer.WrittenSpan.ToArray(), lines, etag);
        if (Interlocked.Add(ref snapshot.CacheBytes, rendered.Body.Length) <= CacheBudgetBytes)
        {
            snapshot.Cache.TryAdd(key, rendered);
        }

        return rendered;
    }

    /// <summary>The store, checking at most once a second whether a newer generation was published.</summary>
    public PasswordRangeStore? Current => CurrentSnapshot.Store;

    private Snapshot CurrentSnapshot
    {
        get
        {
            var now = Environment.TickCount64;
            if (now >= Volatile.Read(ref _nextCheck))
            {
                Volatile.Write(ref _nextCheck, now + 1000);
                Refresh();
            }

            return Volatile.Read(ref _current);
        }
    }

    private void Refresh()
    {
        var write = File.Exists(_manifest) ? File.GetLastWriteTimeUtc(_manifest) : default;
        if (write == _seenWrite && (write == default || _current.Store is not null))
        {
            return;
        }

        lock (_reopen)
        {
            if (write == _seenWrite && (write == default || _current.Store is not null))
            {
                return; // another request reopened it while this one waited
            }

            // The old snapshot stays mapped: requests may still be writing from it, and the OS frees the
            // mapping with the last reference. Stores are few (one per publish).
            Volatile.Write(ref _current, new Snapshot(PasswordRangeStore.Open(_dataDir)));
            _seenWrite = write;
        }
    }

    public void Dispose() => _current.Store?.Dispose();
}
