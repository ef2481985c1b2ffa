using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leakwatch.Core;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Server.Tests;

/// <summary>A key holder's batch of private evaluations: each item exactly the single evaluation's answer.</summary>
[Collection(BulkCollection.Name)]
public class PrivateBatchTests(BulkFixture f)
{
    private static async Task<List<PrivateQuery>> Queries(HttpClient c, IEnumerable<string> accounts)
    {
        var config = await PrivateHttpClient.GetConfigAsync(c);
        var phones = new PhoneNormalizer(null);
        return [.. accounts.Select(a => PrivateLookupClient.Prepare(PrivateLookupClient.TryCanonicalize(a, phones)!, config.Layout)!)];
    }

    private static object Item(PrivateQuery q) => new { bucket = q.Bucket, blindedElement = Convert.ToBase64String(q.BlindedElement) };

    [Fact]
    public async Task Batch_AnswersEqualSingleEvaluatesInOrder()
    {
        using var c = f.Server.Client(f.Key);
        var a = new BulkAccounts(f);
        var queries = await Queries(c, [a.AlphaOnly, a.Both, a.BetaOnly, a.Phone, BulkAccounts.Unknown]);

        var r = await c.PostAsJsonAsync("/api/private/evaluate", new { batch = queries.Select(Item) });

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("no-store", r.Headers.CacheControl!.ToString());
        var batch = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("batch").EnumerateArray().ToList();
        Assert.Equal(queries.Count, batch.Count);
        var config = await PrivateHttpClient.GetConfigAsync(c);
        for (var i = 0; i < queries.Count; i++)
        {
            var single = await c.PostAsJsonAsync("/api/private/evaluate", Item(queries[i]));
            Assert.Equal(HttpStatusCode.OK, single.StatusCode);
            Assert.Equal(await single.Content.ReadAsStringAsync(), batch[i].GetRawText());
            var found = PrivateLookupClient.Finish(queries[i], Convert.FromBase64String(batch[i].GetProperty("evaluatedElement").GetString()!),
                config.Salt, Convert.FromBase64String(batch[i].GetProperty("entries").GetString()!));
            Assert.Equal(i == 4 ? 0 : 1, found.Count == 0 ? 0 : 1);
        }
    }

    [Fact]
    public async Task Batch_Anonymous_401_SingleStillWorks()
    {
        using var c = f.Server.Client();
        var queries = await Queries(c, [BulkAccounts.Unknown]);

        var batch = await c.PostAsJsonAsync("/api/private/evaluate", new { batch = queries.Select(Item) });
        var single = await c.PostAsJsonAsync("/api/private/evaluate", Item(queries[0]));

        Assert.Equal(HttpStatusCode.Unauthorized, batch.StatusCode);
        Assert.Contains("batch: only with a valid hibp-api-key", await batch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
    }

    [Fact]
    public async Task Batch_101Items_400NamingTheLimit_BadItemNamed()
    {
        using var c = f.Server.Client(f.Key);
        var queries = await Queries(c, [BulkAccounts.Unknown]);

        var tooMany = await c.PostAsJsonAsync("/api/private/evaluate", new { batch = Enumerable.Repeat(Item(queries[0]), 101) });
        var badItem = await c.PostAsJsonAsync("/api/private/evaluate", new { batch = new object[] { Item(queries[0]), new { bucket = 1 } } });

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("""{"statusCode":400,"message":"batch: at most 100 evaluations per request"}""", await tooMany.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badItem.StatusCode);
        Assert.Equal("""{"statusCode":400,"message":"batch[1].blindedElement: required"}""", await badItem.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Batch_EachItemTakesOneOfTheKeysEvaluations()
    {
        await using var server = await RunningServer.StartAsync(f.Options() with { PrivateRpm = 10 });
        using var c = server.Client(f.Key);
        var queries = await Queries(c, [BulkAccounts.Unknown]);

        var first = await c.PostAsJsonAsync("/api/private/evaluate", new { batch = Enumerable.Repeat(Item(queries[0]), 8) });
        var second = await c.PostAsJsonAsync("/api/private/evaluate", new { batch = Enumerable.Repeat(Item(queries[0]), 5) });
        var tooBig = await c.PostAsJsonAsync("/api/private/evaluate", new { batch = Enumerable.Repeat(Item(queries[0]), 11) });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.True(second.Headers.Contains("retry-after"));
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Contains("more than this server allows at once (10", await tooBig.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
