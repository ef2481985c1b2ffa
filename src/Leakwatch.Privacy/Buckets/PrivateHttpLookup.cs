using System.Net;
using System.Text;
using System.Text.Json;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// The reference client over HTTP (docs/private-lookup.md §5–6): config, evaluate, and the bucket from the answer or,
/// when the server names a static export (<c>staticUrl</c>), from <c>staticUrl/private/&lt;generation&gt;/&lt;bucket&gt;</c>.
/// The bucket used is always the evaluation's generation: a config of another generation is fetched again (its salt
/// and bucket size belong to it), and a static copy not yet holding that generation (404) is never replaced by an
/// older one: the client asks the server for the entries instead.
/// </summary>
public sealed class PrivateHttpLookup(HttpClient server, HttpClient staticFiles)
{
    private Config? _config;

    /// <summary>How the last lookup got its bucket: "answer", "static" or "fallback" (static 404, then asked).</summary>
    public string LastBucketSource { get; private set; } = "";

    /// <summary>Breach ids (catalogue ids) of the identifier's entries; empty when absent or not indexable.</summary>
    public async Task<List<int>> FindAsync(byte[] input, CancellationToken cancel = default)
    {
        var config = _config ??= await GetConfig(cancel);
        var query = PrivateLookupClient.Prepare(input, config.Layout);
        if (query is null)
        {
            return [];
        }

        var answer = await Evaluate(query, askEntries: null, cancel);
        if (answer.KeyId != config.KeyId || answer.Generation != config.Generation)
        {
            // A publish between the config and the evaluation: the config of the evaluation's generation, and an
            // evaluation again if the key itself changed (the bucket number may differ too).
            config = _config = await GetConfig(cancel);
            if (answer.KeyId != config.KeyId || answer.Generation != config.Generation)
            {
                query = PrivateLookupClient.Prepare(input, config.Layout);
                if (query is null)
                {
                    return [];
                }

                answer = await Evaluate(query, askEntries: null, cancel);
                if (answer.KeyId != config.KeyId || answer.Generation != config.Generation)
                {
                    throw new PrivateIndexException("the private index changed twice during the lookup; try again");
                }
            }
        }

        var entries = answer.Entries;
        LastBucketSource = "answer";
        if (entries is null)
        {
            var staticUrl = config.StaticUrl ?? throw new PrivateIndexException("the server sent no bucket and names no static export");
            entries = await GetStaticBucket(staticUrl, answer.Generation, query.Bucket, cancel);
            LastBucketSource = "static";
            if (entries is null)
            {
                answer = await Evaluate(query, askEntries: true, cancel);
                if (answer.Generation != config.Generation || answer.Entries is null)
                {
                    throw new PrivateIndexException("the private index changed during the lookup; try again");
                }

                entries = answer.Entries;
                LastBucketSource = "fallback";
            }
        }

        if (entries.Length != config.BucketEntries * PrivateProtocol.EntrySize)
        {
            throw new PrivateIndexException($"the bucket holds {entries.Length} bytes, expected {config.BucketEntries * PrivateProtocol.EntrySize}");
        }

        return PrivateLookupClient.Finish(query, answer.Evaluated, config.Salt, entries);
    }

    /// <summary>The generation's bucket from the static export, or null when it is not there (404: not exported yet).</summary>
    public async Task<byte[]?> GetStaticBucket(string staticUrl, long generation, long bucket, CancellationToken cancel = default)
    {
        using var response = await staticFiles.GetAsync(PrivateStaticBuckets.Url(staticUrl, generation, bucket), cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(cancel);
    }

    private async Task<Config> GetConfig(CancellationToken cancel)
    {
        using var response = await server.GetAsync(new Uri("/api/private/config", UriKind.Relative), cancel);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancel));
        var root = doc.RootElement;
        var sections = new List<(int Code, int Bits)>();
        foreach (var s in root.GetProperty("sections").EnumerateArray())
        {
            var code = s.GetProperty("kind").GetString() == "email" ? 0 : s.GetProperty("callingCode").GetInt32();
            sections.Add((code, s.GetProperty("bucketBits").GetInt32()));
        }

        return new Config(
            root.GetProperty("keyId").GetString()!,
            root.GetProperty("generation").GetInt64(),
            PrivateLookupClient.ReadLayout(sections),
            root.GetProperty("bucketEntries").GetInt32(),
            root.GetProperty("salt").GetBytesFromBase64(),
            root.TryGetProperty("staticUrl", out var u) ? u.GetString() : null);
    }

    private async Task<Answer> Evaluate(PrivateQuery query, bool? askEntries, CancellationToken cancel)
    {
        var body = new StringBuilder();
        body.Append("{\"bucket\":").Append(query.Bucket.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(",\"blindedElement\":\"").Append(Convert.ToBase64String(query.BlindedElement)).Append('"');
        if (askEntries is { } ask)
        {
            body.Append(",\"entries\":").Append(ask ? "true" : "false");
        }

        body.Append('}');
        using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
        using var response = await server.PostAsync(new Uri("/api/private/evaluate", UriKind.Relative), content, cancel);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancel));
        var root = doc.RootElement;
        return new Answer(
            root.GetProperty("keyId").GetString()!,
            root.GetProperty("generation").GetInt64(),
            root.GetProperty("evaluatedElement").GetBytesFromBase64(),
            root.TryGetProperty("entries", out var e) ? e.GetBytesFromBase64() : null);
    }

    private sealed record Config(string KeyId, long Generation, PrivateLayout Layout, int BucketEntries, byte[] Salt, string? StaticUrl);

    private sealed record Answer(string KeyId, long Generation, byte[] Evaluated, byte[]? Entries);
}
