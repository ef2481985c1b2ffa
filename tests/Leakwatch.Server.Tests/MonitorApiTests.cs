using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.State;

namespace Leakwatch.Server.Tests;

/// <summary>
/// <c>/api/monitor/...</c> on real servers over the shared data dir: one strict (a limit of 5 identifiers per key,
/// private webhooks refused), one with <c>AllowPrivateWebhooks</c>. Each test uses its own key.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MonitorApiTests(ServerFixture fixture) : IAsyncLifetime
{
    private const int Limit = 5;
    private readonly string[] _keys = new string[12];
    private RunningServer _strict = null!;
    private RunningServer _permissive = null!;

    public async Task InitializeAsync()
    {
        using (var store = SqliteStateStore.Open(fixture.Dir.DataDir))
        {
            for (var i = 0; i < _keys.Length; i++)
            {
                _keys[i] = store.CreateKey("monitor-" + i, 1_000_000, DateTimeOffset.UtcNow).Secret;
            }
        }

        _strict = await RunningServer.StartAsync(fixture.Options() with { MonitorLimit = Limit, MonitorBodyLimit = 64 * 1024, MetricsUrls = null });
        _permissive = await RunningServer.StartAsync(fixture.Options() with { AllowPrivateWebhooks = true, MetricsUrls = null });
    }

    public async Task DisposeAsync()
    {
        await _strict.DisposeAsync();
        await _permissive.DisposeAsync();
    }

    private static StringContent Text(string body) => new(body, Encoding.UTF8, "text/plain");

    private static string NewEmail() => $"Monitor.{Guid.NewGuid():N}@Example.COM";

    private string Phone(int i) => ServerFixture.Plus(fixture.Alpha.Phones!.Order().ElementAt(i));

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    private static async Task<string> Message(HttpResponseMessage r) => (await Json(r)).GetProperty("message").GetString()!;

    [Fact]
    public async Task Endpoints_WithoutAKey_OrWithTheTestKey_Answer401()
    {
        using var none = _strict.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/api/monitor/identifiers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.PostAsync("/api/monitor/identifiers", Text(NewEmail()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.DeleteAsync("/api/monitor/identifiers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/api/monitor/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.PostAsJsonAsync("/api/monitor/webhooks", new { url = "https://93.184.215.14/" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.DeleteAsync("/api/monitor/webhooks/1")).StatusCode);

        using var wrong = _strict.Client(new string('a', 32));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/monitor/identifiers")).StatusCode);
        using var test = _strict.Client(new string('0', 32));
        var r = await test.PostAsync("/api/monitor/identifiers", Text(NewEmail()));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.StartsWith("hibp-api-key:", await Message(r), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_AsTextAndAsJson_StoresKeyedHashesOnly_AndListsKindsAndHints()
    {
        using var c = _permissive.Client(_keys[0]);
        var email = NewEmail();
        var phone = Phone(0);
        var other = NewEmail();
        var r = await c.PostAsync("/api/monitor/identifiers", Text($"# our staff\n{email}\n\n  {phone}  \n{email.ToLowerInvariant()}\r\n{other}"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var added = await Json(r);
        Assert.Equal(3, added.GetProperty("added").GetInt64()); // the lower-cased copy is the same identifier
        Assert.Equal(3, added.GetProperty("total").GetInt64());
        Assert.Equal(1_000_000, added.GetProperty("limit").GetInt64());

        var json = await c.PostAsJsonAsync("/api/monitor/identifiers", new[] { other, Phone(1) });
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(1, (await Json(json)).GetProperty("added").GetInt64());

        var listing = JsonDocument.Parse(await c.GetStringAsync("/api/monitor/identifiers")).RootElement;
        Assert.Equal(4, listing.GetProperty("total").GetInt64());
        var entries = listing.GetProperty("identifiers").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count(e => e.GetProperty("kind").GetString() == "email" && e.GetProperty("hint").GetString() == ""));
        var hints = entries.Where(e => e.GetProperty("kind").GetString() == "phone").Select(e => e.GetProperty("hint").GetString()).Order().ToList();
        Assert.Equal(new[] { phone[^2..], Phone(1)[^2..] }.Order(), hints);
        Assert.Single(JsonDocument.Parse(await c.GetStringAsync("/api/monitor/identifiers?offset=3&limit=10")).RootElement.GetProperty("identifiers").EnumerateArray());

        // Nothing of the identifiers is at rest in the store: not the address in any case, not the phone's digits.
        var stored = ReadStore();
        foreach (var secret in new[] { email, email.ToLowerInvariant(), other.ToLowerInvariant(), phone, phone[1..] })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }
    }

    /// <summary>The SQLite file and its WAL as Latin-1 text (every byte one char), for a plain substring scan.</summary>
    private string ReadStore()
    {
        var text = new StringBuilder();
        foreach (var path in new[] { SqliteStateStore.PathIn(fixture.Dir.DataDir), SqliteStateStore.PathIn(fixture.Dir.DataDir) + "-wal" })
        {
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                text.Append(Encoding.Latin1.GetString(copy.ToArray()));
            }
        }

        return text.ToString();
    }

    [Fact]
    public async Task Upload_WithInvalidEntries_IsRefusedWhole_NamingLinesButNeverTheEntries()
    {
        using var c = _strict.Client(_keys[1]);
        var r = await c.PostAsync("/api/monitor/identifiers", Text($"{NewEmail()}\nnot-an-identifier\n\nbroken@@example\n{new string('x', 5000)}\n"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var message = await Message(r);
        Assert.Equal("identifiers: 3 invalid (not an email address or phone number) at lines 2, 4, 5; nothing was stored", message);
        Assert.Equal(0, JsonDocument.Parse(await c.GetStringAsync("/api/monitor/identifiers")).RootElement.GetProperty("total").GetInt64());

        var json = await c.PostAsJsonAsync("/api/monitor/identifiers", new[] { NewEmail(), "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains("at entries 2;", await Message(json), StringComparison.Ordinal);

        var notJson = await c.PostAsync("/api/monitor/identifiers", new StringContent("{\"a\": 1}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.StartsWith("body: not a JSON array of strings", await Message(notJson), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_PastThePerKeyLimit_Is413NamingTheLimit_AndStoresNothingOfIt()
    {
        using var c = _strict.Client(_keys[2]);
        var six = string.Join('\n', Enumerable.Range(0, Limit + 1).Select(_ => NewEmail()));
        var r = await c.PostAsync("/api/monitor/identifiers", Text(six));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Equal("identifiers: at most 5 per API key; this upload alone has more (nothing was stored)", await Message(r));

        Assert.Equal(HttpStatusCode.OK, (await c.PostAsync("/api/monitor/identifiers", Text(string.Join('\n', NewEmail(), NewEmail(), NewEmail(), NewEmail())))).StatusCode);
        var more = await c.PostAsync("/api/monitor/identifiers", Text(NewEmail() + "\n" + NewEmail()));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, more.StatusCode);
        Assert.StartsWith("identifiers: at most 5 per API key; the key monitors 4", await Message(more), StringComparison.Ordinal);
        Assert.Equal(4, JsonDocument.Parse(await c.GetStringAsync("/api/monitor/identifiers")).RootElement.GetProperty("total").GetInt64());

        // PUT replaces: five new ones fit although 4 + 5 would not.
        var put = await c.PutAsync("/api/monitor/identifiers", Text(string.Join('\n', Enumerable.Range(0, Limit).Select(_ => NewEmail()))));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(Limit, (await Json(put)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Upload_LargerThanTheBodyLimit_Is413NamingIt()
    {
        using var c = _strict.Client(_keys[11]);
        var comments = string.Concat(Enumerable.Repeat("# a comment line, skipped, but it counts against the body\n", 2_000));
        var r = await c.PostAsync("/api/monitor/identifiers", Text(NewEmail() + "\n" + comments));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Equal("body: larger than 65536 bytes", await Message(r));
        Assert.Equal(0, JsonDocument.Parse(await c.GetStringAsync("/api/monitor/identifiers")).RootElement.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Delete_APostedList_RemovesThose_AndWithoutABody_RemovesAll()
    {
        using var c = _strict.Client(_keys[3]);
        var a = NewEmail();
        var b = NewEmail();
        await c.PostAsync("/api/monitor/identifiers", Text(string.Join('\n', a, b, Phone(2))));

        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/monitor/identifiers") { Content = Text(a.ToUpperInvariant() + "\n" + NewEmail()) };
        var r = await c.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var removed = await Json(r);
        Assert.Equal(1, removed.GetProperty("removed").GetInt64());
        Assert.Equal(2, removed.GetProperty("total").GetInt64());

        var all = await Json(await c.DeleteAsync("/api/monitor/identifiers"));
        Assert.Equal(2, all.GetProperty("removed").GetInt64());
        Assert.Equal(0, all.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Webhook_Registered_ShowsItsSecretOnce_StoresItSealed_ListsAndDeletes()
    {
        using var c = _strict.Client(_keys[4]);
        var r = await c.PostAsJsonAsync("/api/monitor/webhooks", new { url = "https://93.184.215.14/hooks/leakwatch", events = new[] { "breach.published" } });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var created = await Json(r);
        var id = created.GetProperty("id").GetInt64();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Equal(["breach.published"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var listed = JsonDocument.Parse(await c.GetStringAsync("/api/monitor/webhooks")).RootElement.EnumerateArray().Single();
        Assert.Equal(id, listed.GetProperty("id").GetInt64());
        Assert.Equal("https://93.184.215.14/hooks/leakwatch", listed.GetProperty("url").GetString());
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret[6..], ReadStore(), StringComparison.Ordinal);

        // Another key sees none of it and cannot delete it.
        using var other = _strict.Client(_keys[5]);
        Assert.Empty(JsonDocument.Parse(await other.GetStringAsync("/api/monitor/webhooks")).RootElement.EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/monitor/webhooks/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await c.DeleteAsync($"/api/monitor/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.DeleteAsync($"/api/monitor/webhooks/{id}")).StatusCode);

        var given = "whsec_" + Convert.ToBase64String(new byte[32]);
        var withSecret = await Json(await c.PostAsJsonAsync("/api/monitor/webhooks", new { url = "http://93.184.215.14:8080/", secret = given }));
        Assert.Equal(given, withSecret.GetProperty("secret").GetString());
        Assert.Equal(["breach.exposed", "breach.published", "domain.breach"], withSecret.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[::1]:8080/hook")]
    [InlineData("http://[fd12::1]/hook")]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("ftp://93.184.215.14/hook")]
    [InlineData("not a url")]
    public async Task Webhook_ToANonPublicOrNonHttpUrl_IsRefusedNamingUrl_UnlessPrivateIsAllowed(string url)
    {
        using var strict = _strict.Client(_keys[6]);
        var r = await strict.PostAsJsonAsync("/api/monitor/webhooks", new { url });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.StartsWith("url: ", await Message(r), StringComparison.Ordinal);
        Assert.Empty(JsonDocument.Parse(await strict.GetStringAsync("/api/monitor/webhooks")).RootElement.EnumerateArray());

        using var permissive = _permissive.Client(_keys[7]);
        var allowed = await permissive.PostAsJsonAsync("/api/monitor/webhooks", new { url });
        var httpUrl = url.StartsWith("http", StringComparison.Ordinal);
        Assert.Equal(httpUrl ? HttpStatusCode.Created : HttpStatusCode.BadRequest, allowed.StatusCode);
        if (httpUrl)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await permissive.DeleteAsync($"/api/monitor/webhooks/{(await Json(allowed)).GetProperty("id").GetInt64()}")).StatusCode);
        }
    }

    [Fact]
    public async Task Webhook_WithABadSecretOrEvent_IsRefusedNamingTheField()
    {
        using var c = _strict.Client(_keys[8]);
        var secret = await c.PostAsJsonAsync("/api/monitor/webhooks", new { url = "https://93.184.215.14/", secret = "hunter2" });
        Assert.Equal(HttpStatusCode.BadRequest, secret.StatusCode);
        Assert.StartsWith("secret: ", await Message(secret), StringComparison.Ordinal);
        var events = await c.PostAsJsonAsync("/api/monitor/webhooks", new { url = "https://93.184.215.14/", events = new[] { "breach.maybe" } });
        Assert.Equal(HttpStatusCode.BadRequest, events.StatusCode);
        Assert.StartsWith("events: ", await Message(events), StringComparison.Ordinal);
        var body = await c.PostAsync("/api/monitor/webhooks", new StringContent("[1,2]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, body.StatusCode);
        Assert.StartsWith("body: ", await Message(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebhookTest_SendsASignedTestEventNow_AndA410DisablesTheWebhook()
    {
        var secret = Leakwatch.Notify.WebhookSecrets.New();
        await using var receiver = await Leakwatch.Notify.Tests.Delivery.WebhookReceiver.StartAsync(secret);
        using var c = _permissive.Client(_keys[9]);
        var ok = (await Json(await c.PostAsJsonAsync("/api/monitor/webhooks", new { url = receiver.Url("/ok"), secret }))).GetProperty("id").GetInt64();
        var gone = (await Json(await c.PostAsJsonAsync("/api/monitor/webhooks", new { url = receiver.Url("/gone"), secret }))).GetProperty("id").GetInt64();

        var r = await Json(await c.PostAsync($"/api/monitor/webhooks/{ok}/test", null));
        Assert.True(r.GetProperty("delivered").GetBoolean(), r.ToString());
        Assert.Equal("delivered", r.GetProperty("result").GetString());
        var line = await receiver.NextAsync();
        Assert.True(line.GetProperty("verified").GetBoolean(), line.ToString());
        Assert.StartsWith("msg_test_", line.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("webhook.test", line.GetProperty("body").GetProperty("type").GetString());
        Assert.Equal(ok, line.GetProperty("body").GetProperty("data").GetProperty("webhook").GetInt64());

        var g = await Json(await c.PostAsync($"/api/monitor/webhooks/{gone}/test", null));
        Assert.Equal("gone", g.GetProperty("result").GetString());
        var listed = JsonDocument.Parse(await c.GetStringAsync("/api/monitor/webhooks")).RootElement.EnumerateArray().Single(w => w.GetProperty("id").GetInt64() == gone);
        Assert.Equal("410 Gone", listed.GetProperty("disabledReason").GetString());

        // The strict server refuses to connect to the loopback receiver even for a webhook registered elsewhere.
        using var strict = _strict.Client(_keys[9]);
        var refused = await Json(await strict.PostAsync($"/api/monitor/webhooks/{ok}/test", null));
        Assert.Equal("dead", refused.GetProperty("result").GetString());
        Assert.StartsWith("refused:", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var other = _strict.Client(_keys[10]);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/monitor/webhooks/{ok}/test", null)).StatusCode);
    }

    [Fact]
    public async Task OpenApi_DocumentsTheMonitoringEndpoints()
    {
        using var c = _strict.Client();
        var paths = JsonDocument.Parse(await c.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        var identifiers = paths.GetProperty("/api/monitor/identifiers");
        foreach (var method in new[] { "get", "post", "put", "delete" })
        {
            Assert.True(identifiers.TryGetProperty(method, out _), method);
        }

        Assert.True(paths.GetProperty("/api/monitor/webhooks").TryGetProperty("post", out var post));
        Assert.Contains("--allow-private-webhooks", post.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(paths.GetProperty("/api/monitor/webhooks/{id}").TryGetProperty("delete", out _));
    }
}
