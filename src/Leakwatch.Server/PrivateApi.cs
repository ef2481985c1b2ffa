using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Privacy.Oprf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Leakwatch.Server;

/// <summary>
/// Private lookups, protocol <c>leakwatch/private/v1</c> (docs/private-lookup.md §5): <c>GET /api/private/config</c> and
/// <c>POST /api/private/evaluate</c>. The server sees a bucket number and a blinded element, answers Z = skS·B and the
/// bucket's entries, and never learns the identifier. Every evaluation is an online guess, so each client (API key
/// if a valid one is sent, else IP) has its own limit (<c>serve --private-rpm</c>).
/// </summary>
internal sealed partial class PrivateApi : IDisposable
{
    public const string EvaluatePolicy = "private-evaluate";
    public const string ConfigPolicy = "private-config";
    /// <summary>A request is two small fields; anything much larger is not one.</summary>
    private const int MaxBodyBytes = 4096;
    private const string JsonContentType = "application/json; charset=utf-8";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_response;

    /// <summary>The decrypted bucket of the evaluation being answered.</summary>
    [ThreadStatic]
    private static byte[]? t_bucket;

    private readonly ServerOptions _options;
    private readonly PrivateIndexService _private;
    private readonly ExposureService _exposure;
    private readonly ServerMetrics _metrics;
    private readonly TokenBucketRateLimiter _global;
    private readonly OptOutFilter _optOuts;
    private readonly RedisCounters? _redis;

    /// <summary>Each client's evaluations (<see cref="ServerOptions.PrivateRpm"/>): the policy's partitions forward here
    /// (<see cref="ForwardingLimiter"/>), and a batch takes its further items from the same bucket.</summary>
    private readonly PartitionedRateLimiter<RateKey> _clients;

    public PrivateApi(ServerOptions options, PrivateIndexService privateIndex, ExposureService exposure, ServerMetrics metrics, OptOutFilter optOuts,
        SharedCounters shared)
    {
        _redis = shared.Redis;
        _clients = PartitionedRateLimiter.Create<RateKey, RateKey>(static k => HibpApi.TokenBucket(k));
        _optOuts = optOuts;
        _options = options;
        _private = privateIndex;
        _exposure = exposure;
        _metrics = metrics;
        var rps = Math.Max(1, options.PrivateGlobalRps);
        _global = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            // One second's budget as the burst: many clients each within their own limit still add up to one bound.
            TokenLimit = rps,
            TokensPerPeriod = rps,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        });
    }

    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/private").WithTags("Private lookups");
        group.MapGet("/config", (Func<HttpContext, Task>)Config)
            .WithMetadata(PrivateAccess.Instance)
            .RequireRateLimiting(ConfigPolicy)
            .RunsOnSocketThread()
            .WithName("PrivateConfig")
            .WithSummary("Parameters of the private index: key id, bucket sections (emails, and one per calling code, each with its bucketBits), bucketEntries, entry size, salt, generation, staticUrl when buckets are served statically, and the breaches ids may name")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/evaluate", (Func<HttpContext, Task>)Evaluate)
            .WithMetadata(PrivateAccess.Instance, SharedCountersRequired.Instance)
            .RequireRateLimiting(EvaluatePolicy)
            .WithName("PrivateEvaluate")
            .WithSummary("OPRF evaluation of a blinded element, with the entries of one bucket")
            .WithDescription("Body (any content type) {\"bucket\": n, \"blindedElement\": base64 of 32 bytes, \"entries\": optional boolean}. Answers keyId, evaluatedElement (base64, 32 bytes), bucket, generation and entries (base64, bucketEntries × 48 bytes). Without entries when the client sends \"entries\": false, and by default when the server names a static export (config staticUrl; serve --private-static-url): the client then fetches staticUrl/private/{generation}/{bucket}, or asks again with \"entries\": true if that is 404. 400 names the bad field; 429 past the per-client limit. A key holder may send {\"batch\": [request, …]} (at most 100) and gets {\"batch\": [answer, …]} in order, each item as the single form answers it; every item counts against the key's limit and the global budget.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status400BadRequest).Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status429TooManyRequests)
            .Produces(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Per client: a valid API key's id, else the remote IP. An unknown key counts as its IP, so inventing
    /// keys does not buy evaluations.</summary>
    public RateLimitPartition<RateKey> EvaluatePartition(HttpContext ctx) => ctx.Features.Get<CountedInRedis>() is not null
        ? RateLimitPartition.GetNoLimiter(default(RateKey))
        : RateLimitPartition.Get(new RateKey(EvaluateClient(ctx), Math.Max(1, _options.PrivateRpm)), k => new ForwardingLimiter(_clients, k));

    /// <summary>Whom an evaluation counts: a valid API key's id, else the client's IP (or /64).</summary>
    public ClientId EvaluateClient(HttpContext ctx)
    {
        var header = ctx.Request.Headers[HibpApi.ApiKeyHeader];
        var client = StringValues.IsNullOrEmpty(header) ? null : _exposure.Keys.Find(header[0].AsSpan().Trim());
        return client?.Key is { } k ? ClientId.ForKey(k.Id) : ClientId.ForAddress(ctx.Connection.RemoteIpAddress);
    }

    public RateLimitPartition<RateKey> ConfigPartition(HttpContext ctx) => ctx.Features.Get<CountedInRedis>() is not null
        ? RateLimitPartition.GetNoLimiter(default(RateKey))
        : HibpApi.TokenBucket(new RateKey(ClientId.ForAddress(ctx.Connection.RemoteIpAddress), Math.Max(1, _options.AnonymousRpm)));

    private Task Config(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        var state = _private.Acquire();
        if (state is null)
        {
            return NoIndex(ctx, _private.Withdrawn);
        }

        try
        {
            var plain = _exposure.Current;
            var cached = state.Config;
            if (cached is not { } c || !ReferenceEquals(c.Plain, plain))
            {
                cached = (plain, RenderConfig(state, plain, _options.PrivateStaticUrl));
                state.Config = cached;
            }

            return Write(ctx, StatusCodes.Status200OK, cached.Value.Json);
        }
        finally
        {
            state.Release();
        }
    }

    private static byte[] RenderConfig(PrivateServingState state, ServingState plain, string? staticUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", PrivateProtocol.Version);
            w.WriteString("keyId", state.Key.KeyId);
            w.WriteStartArray("sections");
            foreach (var section in state.Index.Layout.Sections)
            {
                w.WriteStartObject();
                if (section.Code == 0)
                {
                    w.WriteString("kind", "email");
                }
                else
                {
                    w.WriteString("kind", "phone");
                    w.WriteNumber("callingCode", section.Code);
                }

                w.WriteNumber("bucketBits", section.Bits);
                w.WriteNumber("first", section.First);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("bucketCount", state.Index.BucketCount);
            w.WriteNumber("bucketEntries", state.Index.BucketEntries);
            w.WriteNumber("entrySize", PrivateProtocol.EntrySize);
            w.WriteString("salt", state.SaltBase64);
            w.WriteNumber("generation", state.Manifest.Generation);
            if (staticUrl is not null)
            {
                // Buckets are fetched from a `leakwatch export` there: <staticUrl>/private/<generation>/<bucket>.
                w.WriteString("staticUrl", staticUrl);
            }
            w.WriteStartArray("breaches");
            foreach (var p in plain.All)
            {
                // What public search shows: a retired or sensitive breach is never named to a private client either.
                if (!p.Breach.IsRetired && !p.Breach.IsSensitive)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", p.Breach.Id);
                    w.WriteString("name", p.Breach.Name);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private async Task Evaluate(HttpContext ctx)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        // After the client's own limit: the global budget bounds the online guesses of all clients together, which
        // per-client limits cannot when a guesser has many addresses or keys. With --redis it was taken there, for the cluster.
        using (var lease = ctx.Features.Get<CountedInRedis>() is null ? _global.AttemptAcquire() : null)
        {
            if (lease is { IsAcquired: false })
            {
                _metrics.RateLimitRejections.WithLabels("private-global").Inc();
                await HibpApi.TooManyRequests(ctx, 1);
                return;
            }
        }

        var request = ctx.Request;
        // A key holder may send a batch (PrivateApi.Batch), so its body may be larger.
        var limit = StringValues.IsNullOrEmpty(request.Headers[HibpApi.ApiKeyHeader]) ? MaxBodyBytes : MaxBatchBodyBytes;
        if (request.ContentLength > limit)
        {
            await BadRequest(ctx, $"body: larger than {limit} bytes");
            return;
        }

        var body = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var length = 0;
            while (length <= limit)
            {
                var n = await request.Body.ReadAsync(body.AsMemory(length, limit + 1 - length), ctx.RequestAborted);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }

            if (length > limit)
            {
                await BadRequest(ctx, $"body: larger than {limit} bytes");
                return;
            }

            // The body's last read may have completed on a socket thread; the evaluation and the bucket's
            // memory-mapped entries belong on the pool.
            await SocketThreads.LeaveAsync();
            if (IsBatch(body.AsSpan(0, length)))
            {
                await AnswerBatch(ctx, body.AsMemory(0, length));
                return;
            }

            if (length > MaxBodyBytes)
            {
                await BadRequest(ctx, $"body: larger than {MaxBodyBytes} bytes");
                return;
            }

            await Answer(ctx, body.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private Task Answer(HttpContext ctx, ReadOnlyMemory<byte> body)
    {
        var error = Parse(body.Span, out var bucket, out var blinded, out var askedEntries);
        if (error is not null)
        {
            return BadRequest(ctx, error);
        }

        var state = _private.Acquire();
        if (state is null)
        {
            _metrics.PrivateEvaluations.WithLabels("no_index").Inc();
            return NoIndex(ctx, _private.Withdrawn);
        }

        try
        {
            if (bucket < 0 || bucket >= state.Index.BucketCount)
            {
                return BadRequest(ctx, $"bucket: must be an integer in [0, {state.Index.BucketCount.ToString(CultureInfo.InvariantCulture)})");
            }

            Span<byte> evaluated = stackalloc byte[OprfSuite.ElementSize];
            try
            {
                state.Key.BlindEvaluate(blinded, evaluated);
            }
            catch (OprfInvalidElementException)
            {
                return BadRequest(ctx, "blindedElement: not a valid ristretto255 element");
            }

            var buffer = t_response ??= new ArrayBufferWriter<byte>(64 * 1024);
            buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("keyId", state.Key.KeyId);
                w.WriteBase64String("evaluatedElement", evaluated);
                w.WriteNumber("bucket", bucket);
                w.WriteNumber("generation", state.Manifest.Generation);
                // With a static export the client fetches the bucket there, unless it asks for it here (a static copy
                // not yet re-exported after a publish answers 404 for the new generation).
                if (askedEntries ?? _options.PrivateStaticUrl is null)
                {
                    WriteEntries(w, state, bucket);
                }

                w.WriteEndObject();
            }

            _metrics.PrivateEvaluations.WithLabels("ok").Inc();
            return Write(ctx, StatusCodes.Status200OK, buffer.WrittenMemory);
        }
        finally
        {
            state.Release();
        }
    }

    private void WriteEntries(Utf8JsonWriter w, PrivateServingState state, long bucket)
    {
        var index = state.Index;
        var entries = t_bucket ??= new byte[index.BucketBytes];
        if (entries.Length < index.BucketBytes)
        {
            entries = t_bucket = new byte[index.BucketBytes];
        }

        // Decrypted per request from the mapping (XChaCha20 at the bucket's block counter): about as much work
        // as the base64 that follows, and far less than the scalar multiplication before it.
        index.ReadBucket(bucket, entries);
        // Opted-out identifiers' entries are replaced here, from the moment the opt-out is confirmed.
        _optOuts.FilterBucket(state, bucket, entries.AsSpan(0, index.BucketBytes));
        w.WriteBase64String("entries", entries.AsSpan(0, index.BucketBytes));
    }

    /// <summary>Reads <c>{"bucket": int, "blindedElement": base64}</c>; returns a one-line error naming the field, or null.</summary>
    internal static string? Parse(ReadOnlySpan<byte> json, out long bucket, out InlineElement blinded, out bool? entries)
    {
        bucket = -1;
        entries = null;
        blinded = default;
        var haveBucket = false;
        var haveElement = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "body: expected a JSON object";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isBucket = reader.ValueTextEquals("bucket"u8);
                var isElement = reader.ValueTextEquals("blindedElement"u8);
                var isEntries = reader.ValueTextEquals("entries"u8);
                reader.Read();
                if (isBucket)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out bucket))
                    {
                        return "bucket: must be an integer";
                    }

                    haveBucket = true;
                }
                else if (isElement)
                {
                    var elementError = ReadElement(ref reader, out blinded);
                    if (elementError is not null)
                    {
                        return elementError;
                    }

                    haveElement = true;
                }
                else if (isEntries)
                {
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                    {
                        return "entries: must be true or false";
                    }

                    entries = reader.GetBoolean();
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return "body: malformed JSON";
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: Utf8JsonReader unescaping a lone surrogate (in a property name), found by fuzzing.
            return "body: malformed JSON";
        }

        return !haveBucket ? "bucket: required" : !haveElement ? "blindedElement: required" : null;
    }

    private static string? ReadElement(ref Utf8JsonReader reader, out InlineElement blinded)
    {
        blinded = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            return "blindedElement: must be a base64 string";
        }

        try
        {
            if (!reader.TryGetBytesFromBase64(out var bytes))
            {
                return "blindedElement: not valid base64";
            }

            if (bytes.Length != OprfSuite.ElementSize)
            {
                return $"blindedElement: must be {OprfSuite.ElementSize} bytes, got {bytes.Length.ToString(CultureInfo.InvariantCulture)}";
            }

            bytes.CopyTo(blinded);
            return null;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            // InvalidOperationException: an escape that is no valid UTF-16 (a lone surrogate), found by fuzzing.
            return "blindedElement: not valid base64";
        }
    }

    private Task BadRequest(HttpContext ctx, string message)
    {
        _metrics.PrivateEvaluations.WithLabels("bad_request").Inc();
        return Write(ctx, StatusCodes.Status400BadRequest, ErrorBody(400, message));
    }

    /// <summary>404 when there is no private index; 503 while it is withdrawn. The operator's reason (which breach,
    /// which dump) stays in the manifest: a hidden breach's name is not for the public.</summary>
    private static Task NoIndex(HttpContext ctx, bool withdrawn) => withdrawn
        ? Write(ctx, StatusCodes.Status503ServiceUnavailable, ErrorBody(503, "private lookups are withdrawn until the operator rebuilds the private index"))
        : Write(ctx, StatusCodes.Status404NotFound, ErrorBody(404, "this server has no private index"));

    private static byte[] ErrorBody(int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("statusCode", status);
            w.WriteString("message", message);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        _global.Dispose();
        _clients.Dispose();
    }

    private static Task Write(HttpContext ctx, int status, ReadOnlyMemory<byte> body)
    {
        var response = ctx.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}
