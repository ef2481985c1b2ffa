using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Privacy.Oprf;
using Microsoft.AspNetCore.Http;

namespace Leakwatch.Server;

/// <summary>
/// A key holder's batch of evaluations in one request: <c>{"batch": [single request, …]}</c> answered with
/// <c>{"batch": [single answer, …]}</c> in the same order, each item exactly what <c>POST /api/private/evaluate</c>
/// answers for it alone. Every item is one online guess: it takes one evaluation from the key's limit
/// (<see cref="ServerOptions.PrivateRpm"/>) and one from the global budget, all before any is evaluated.
/// Anonymous clients keep the single form.
/// </summary>
internal sealed partial class PrivateApi
{
    /// <summary>The most evaluations one batch may carry.</summary>
    public const int MaxBatch = 100;

    /// <summary>A batch of <see cref="MaxBatch"/> single requests with room to spare.</summary>
    private const int MaxBatchBodyBytes = MaxBatch * 192;

    private static readonly byte[] BatchNeedsKey =
        "{\"statusCode\":401,\"message\":\"batch: only with a valid hibp-api-key; without one, send one evaluation per request\"}"u8.ToArray();

    /// <summary>Whether the body is an object with a <c>batch</c> member (the single form has none).</summary>
    internal static bool IsBatch(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("batch"u8))
                {
                    return true;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Malformed: the single form's parser names the problem.
        }

        return false;
    }

    /// <summary>Reads <c>{"batch": [{"bucket": n, "blindedElement": b64, "entries"?: bool}, …]}</c>; an error naming
    /// the item and field, or null.</summary>
    internal static string? ParseBatch(ReadOnlySpan<byte> json, List<BatchItem> items)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            reader.Read();
            var sawBatch = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("batch"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                sawBatch = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return "batch: must be an array of evaluation requests";
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var at = "batch[" + items.Count.ToString(CultureInfo.InvariantCulture) + "].";
                    if (items.Count == MaxBatch)
                    {
                        return $"batch: at most {MaxBatch.ToString(CultureInfo.InvariantCulture)} evaluations per request";
                    }

                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return at[..^1] + ": must be an object";
                    }

                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var error = Parse(json[start..(int)reader.BytesConsumed], out var bucket, out var blinded, out var entries);
                    if (error is not null)
                    {
                        return at + error;
                    }

                    items.Add(new BatchItem(bucket, blinded, entries));
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || !sawBatch)
            {
                return "body: malformed JSON";
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return "body: malformed JSON";
        }

        return items.Count == 0 ? "batch: empty" : null;
    }

    private async Task AnswerBatch(HttpContext ctx, ReadOnlyMemory<byte> body)
    {
        var client = EvaluateClient(ctx);
        if (client.KeyId <= 0)
        {
            await Write(ctx, StatusCodes.Status401Unauthorized, BatchNeedsKey);
            return;
        }

        var items = new List<BatchItem>();
        var error = ParseBatch(body.Span, items);
        var perClient = Math.Max(1, _options.PrivateRpm);
        var global = Math.Max(1, _options.PrivateGlobalRps);
        if (error is null && (items.Count > perClient || items.Count > global))
        {
            error = $"batch: {items.Count.ToString(CultureInfo.InvariantCulture)} evaluations is more than this server allows at once " +
                $"({Math.Min(perClient, global).ToString(CultureInfo.InvariantCulture)}: serve --private-rpm and --private-global-rps)";
        }

        if (error is not null)
        {
            await BadRequest(ctx, error);
            return;
        }

        // The request itself took one evaluation from each limit; the other items take theirs now, all or none.
        var wait = await TakeBatch(ctx, new RateKey(client, perClient), items.Count - 1);
        if (wait != 0)
        {
            if (wait < 0)
            {
                await HibpApi.ServiceUnavailable(ctx);
                return;
            }

            _metrics.RateLimitRejections.WithLabels("private").Inc();
            await HibpApi.TooManyRequests(ctx, wait);
            return;
        }

        await EvaluateBatch(ctx, items);
    }

    /// <summary>0 when <paramref name="extra"/> evaluations were taken from the client's limit and the global budget;
    /// else the seconds to wait, or -1 when Redis cannot be asked.</summary>
    private async ValueTask<int> TakeBatch(HttpContext ctx, RateKey client, int extra)
    {
        if (extra == 0)
        {
            return 0;
        }

        if (ctx.Features.Get<CountedInRedis>() is not null && _redis is { } redis)
        {
            var rps = Math.Max(1, _options.PrivateGlobalRps);
            var verdict = await redis.TakeAsync(
            [
                SharedBucket.For("pe", client) with { Lease = extra, Exact = true },
                new SharedBucket("lw:tb:pg:" + rps.ToString(CultureInfo.InvariantCulture), rps, TimeSpan.FromSeconds(1), Lease: extra, Exact: true),
            ]);
            return verdict.Outcome switch
            {
                SharedOutcome.Allowed => 0,
                SharedOutcome.Refused => verdict.RefusedBucket == 1 ? 1 : Math.Max(1, verdict.RetryAfterSeconds),
                _ => -1,
            };
        }

        using var lease = _clients.AttemptAcquire(client, extra);
        if (!lease.IsAcquired)
        {
            return lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter)
                ? (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds))
                : 60;
        }

        using var globalLease = _global.AttemptAcquire(extra);
        return globalLease.IsAcquired ? 0 : 1;
    }

    private Task EvaluateBatch(HttpContext ctx, List<BatchItem> items)
    {
        var state = _private.Acquire();
        if (state is null)
        {
            _metrics.PrivateEvaluations.WithLabels("no_index").Inc();
            return NoIndex(ctx, _private.Withdrawn);
        }

        try
        {
            var buffer = t_response ??= new ArrayBufferWriter<byte>(64 * 1024);
            buffer.ResetWrittenCount();
            var error = WriteBatch(buffer, state, items);
            if (error is not null)
            {
                return BadRequest(ctx, error);
            }

            _metrics.PrivateEvaluations.WithLabels("ok").Inc(items.Count);
            return Write(ctx, StatusCodes.Status200OK, buffer.WrittenMemory);
        }
        finally
        {
            state.Release();
        }
    }

    /// <summary>Evaluates every item into <paramref name="buffer"/>; an error naming the item, or null.</summary>
    private string? WriteBatch(ArrayBufferWriter<byte> buffer, PrivateServingState state, List<BatchItem> items)
    {
        Span<byte> evaluated = stackalloc byte[OprfSuite.ElementSize];
        using var w = new Utf8JsonWriter(buffer);
        w.WriteStartObject();
        w.WriteStartArray("batch");
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = "batch[" + i.ToString(CultureInfo.InvariantCulture) + "].";
            if (item.Bucket < 0 || item.Bucket >= state.Index.BucketCount)
            {
                return at + $"bucket: must be an integer in [0, {state.Index.BucketCount.ToString(CultureInfo.InvariantCulture)})";
            }

            try
            {
                var blinded = item.Blinded;
                state.Key.BlindEvaluate(blinded, evaluated);
            }
            catch (OprfInvalidElementException)
            {
                return at + "blindedElement: not a valid ristretto255 element";
            }

            // Each item as the single form answers it.
            w.WriteStartObject();
            w.WriteString("keyId", state.Key.KeyId);
            w.WriteBase64String("evaluatedElement", evaluated);
            w.WriteNumber("bucket", item.Bucket);
            w.WriteNumber("generation", state.Manifest.Generation);
            if (item.Entries ?? _options.PrivateStaticUrl is null)
            {
                WriteEntries(w, state, item.Bucket);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }
}
