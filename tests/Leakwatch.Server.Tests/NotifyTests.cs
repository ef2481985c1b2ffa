using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Notify;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Synthetic;

namespace Leakwatch.Server.Tests;

/// <summary>One breach (Alpha) ingested with --private by the real CLI, a server on loopback over its SQLite state, and a
/// clock the tests move. The notification endpoints are allowed many requests a minute here, except on a second
/// server started by the rate-limit test.</summary>
public sealed class NotifyFixture : IAsyncLifetime
{
    public TempDir Dir { get; } = new();

    public GeneratorTruth Alpha { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public ManualTimeProvider Clock { get; } = new();

    public string Key { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var alpha = Dir.File("alpha.csv");
        Alpha = DumpGenerator.Generate(new GeneratorOptions(1_500, 31, DumpShape.Csv), alpha, collectIdentifiers: true);
        Dir.Ingest(alpha, "Alpha", "--date", "2019-03-01", "--private");
        using (var keys = SqliteStateStore.Open(Dir.DataDir))
        {
            Key = keys.CreateKey("notify-tests", 1_000_000, DateTimeOffset.UtcNow).Secret;
        }

        Server = await RunningServer.StartAsync(Options());
    }

    public ServerOptions Options() => new()
    {
        DataDir = Dir.DataDir,
        KeyFilePath = Dir.KeyFile,
        ConsoleLogging = false,
        NotifyRpm = 100_000,
        PrivateRpm = 100_000,
        PrivateGlobalRps = 100_000,
        TimeProvider = Clock,
    };

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dir.Dispose();
    }
}

/// <summary>Subscriptions (double opt-in, one-click unsubscribe, erasure) and opt-out through the real server: what the
/// outbox gets, what the answers tell, and what the state store keeps.</summary>
public sealed class NotifyTests(NotifyFixture f) : IClassFixture<NotifyFixture>
{
    private static readonly PhoneNormalizer Phones = new(null);

    private StateStore Store() => SqliteStateStore.Open(f.Dir.DataDir);

    private NotifySealing Sealing() => new(KeyFile.Load(f.Dir.KeyFile));

    private static string Fresh(string name) => $"{name}.{Guid.NewGuid():N}@Example.ORG";

    /// <summary>The pending outbox rows not seen in <paramref name="before"/>, opened.</summary>
    private List<(OutboxItem Row, MailPayload Mail)> NewRows(HashSet<long> before)
    {
        using var store = Store();
        var sealing = Sealing();
        return store.Outbox(OutboxState.Pending, 10_000).Where(r => !before.Contains(r.Id))
            .Select(r => (r, MailPayload.Open(sealing, r.SealedPayload!, r.MessageId))).ToList();
    }

    private HashSet<long> RowIds()
    {
        using var store = Store();
        return [.. store.Outbox(OutboxState.Pending, 10_000).Select(r => r.Id)];
    }

    private static Task<HttpResponseMessage> PostEmail(HttpClient c, string path, string email) =>
        c.PostAsJsonAsync(path, new { email });

    private async Task<string> SubscribeAndReadTokenAsync(HttpClient c, string email)
    {
        var before = RowIds();
        using var r = await PostEmail(c, "/api/subscriptions", email);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var (row, mail) = Assert.Single(NewRows(before));
        Assert.Equal(NotifyEvents.SubscriptionVerify, row.Event);
        return mail.Token;
    }

    [Fact]
    public async Task Subscribe_NewAddress_EnqueuesOneVerifyMailWhosePayloadOpensToTheAddress()
    {
        using var c = f.Server.Client();
        var email = Fresh("new");
        var before = RowIds();
        long matchedBefore;
        using (var s = Store())
        {
            matchedBefore = s.MatchedThrough();
        }

        using var r = await PostEmail(c, "/api/subscriptions", email);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        Assert.Equal("no-store", r.Headers.CacheControl?.ToString());

        var (row, mail) = Assert.Single(NewRows(before));
        Assert.Equal(NotifyEvents.SubscriptionVerify, row.Event);
        Assert.Equal(OutboxChannel.Mail, row.Channel);
        Assert.Equal(0, row.BreachId);
        Assert.Equal(email, mail.To);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", mail.Token);
        using var store = Store();
        var key = new byte[10];
        Leakwatch.Index.IndexKeys.WriteBigEndian(new IdentifierHasher(KeyFile.Load(f.Dir.KeyFile)).HashEmail(EmailNormalizer.Normalize(email)!), key);
        Assert.Equal(store.SubscriptionIdOf(key), row.TargetId);
        Assert.Equal(matchedBefore, store.MatchedThrough()); // a verification mail is no matching pass
    }

    [Fact]
    public async Task Subscribe_NewPendingAndVerified_AnswerIdentically_AndWithinTheHourEnqueueNothing()
    {
        using var c = f.Server.Client();
        var pending = Fresh("pending");
        var verified = Fresh("verified");
        var token = await SubscribeAndReadTokenAsync(c, verified);
        using (var v = await c.GetAsync("/subscriptions/verify?token=" + token))
        {
            Assert.Equal(HttpStatusCode.OK, v.StatusCode);
        }

        using var first = await PostEmail(c, "/api/subscriptions", pending);
        var before = RowIds();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var again = await PostEmail(c, "/api/subscriptions", pending);
        // Nothing to write within the hour, yet answered no sooner than a new address would be.
        Assert.True(clock.Elapsed >= f.Options().NotifyAnswerFloor, $"answered after {clock.Elapsed}");
        using var known = await PostEmail(c, "/api/subscriptions", verified.ToUpperInvariant());
        using var brandNew = await PostEmail(c, "/api/subscriptions", Fresh("brand-new"));
        var bodies = new[] { first, again, known, brandNew };
        foreach (var r in bodies)
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            Assert.Equal(await first.Content.ReadAsStringAsync(), await r.Content.ReadAsStringAsync());
            Assert.Equal(first.Content.Headers.ContentType, r.Content.Headers.ContentType);
        }

        // Only the brand-new address got a mail: the other two were mailed within the hour.
        var row = Assert.Single(NewRows(before));
        Assert.Equal(NotifyEvents.SubscriptionVerify, row.Row.Event);

        // Past the hour, the verified address gets a reminder carrying its unsubscribe token, the pending one a new link.
        f.Clock.Advance(TimeSpan.FromMinutes(61));
        before = RowIds();
        using (await PostEmail(c, "/api/subscriptions", verified))
        {
        }

        using (await PostEmail(c, "/api/subscriptions", pending))
        {
        }

        var rows = NewRows(before);
        Assert.Equal(2, rows.Count);
        var reminder = Assert.Single(rows, x => x.Row.Event == NotifyEvents.SubscriptionActive);
        Assert.Equal(verified.ToUpperInvariant(), reminder.Mail.To, ignoreCase: true);
        using (var page = await c.GetAsync("/subscriptions/unsubscribe?token=" + reminder.Mail.Token))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        using var erase = await c.DeleteAsync("/api/subscriptions?token=" + reminder.Mail.Token);
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        Assert.Single(rows, x => x.Row.Event == NotifyEvents.SubscriptionVerify && x.Mail.To == pending);
    }

    [Fact]
    public async Task VerifyLink_WorksOnce_ThenSaysExpiredOrUsed()
    {
        using var c = f.Server.Client();
        var token = await SubscribeAndReadTokenAsync(c, Fresh("verify"));
        using var ok = await c.GetAsync("/subscriptions/verify?token=" + token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var html = await ok.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Subscription confirmed</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<header class=\"site\">", html, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'", ok.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using var twice = await c.GetAsync("/subscriptions/verify?token=" + token);
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        Assert.Contains("expired or already used", await twice.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var none = await c.GetAsync("/subscriptions/verify");
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    [Fact]
    public async Task Unsubscribe_GetShowsAButtonAndChangesNothing_OneClickPostErases()
    {
        using var c = f.Server.Client();
        var email = Fresh("unsubscribe");
        var token = await SubscribeAndReadTokenAsync(c, email);
        using (await c.GetAsync("/subscriptions/verify?token=" + token))
        {
        }

        var unsubscribe = Sealing().Tokens.UnsubscribeToken(MatchKey(email));
        using var page = await c.GetAsync("/subscriptions/unsubscribe?token=" + unsubscribe);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains($"<form method=\"post\" action=\"/subscriptions/unsubscribe?token={unsubscribe}\">", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">", html, StringComparison.Ordinal);
        using (var store = Store())
        {
            Assert.NotNull(store.SubscriptionIdOf(MatchKey(email)));
        }

        // RFC 8058: the mail client POSTs the one-click body, with no cookie and no CSRF token.
        using var post = await c.PostAsync("/subscriptions/unsubscribe?token=" + unsubscribe,
            new StringContent("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        using (var store = Store())
        {
            Assert.Null(store.SubscriptionIdOf(MatchKey(email)));
        }

        using var again = await c.PostAsync("/subscriptions/unsubscribe?token=" + unsubscribe,
            new StringContent("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Delete_WithTheUnsubscribeToken_ErasesTheSubscriptionAndItsOutboxRows()
    {
        using var c = f.Server.Client();
        var email = Fresh("erase");
        await SubscribeAndReadTokenAsync(c, email);
        long id;
        using (var store = Store())
        {
            id = store.SubscriptionIdOf(MatchKey(email))!.Value;
            Assert.Contains(store.Outbox(OutboxState.Pending, 10_000), r => r.TargetId == id);
        }

        var unsubscribe = Sealing().Tokens.UnsubscribeToken(MatchKey(email));
        using var erase = await c.DeleteAsync("/api/subscriptions?token=" + unsubscribe);
        Assert.Equal(HttpStatusCode.NoContent, erase.StatusCode);
        using (var store = Store())
        {
            Assert.Null(store.SubscriptionById(id));
            Assert.DoesNotContain(store.Outbox(OutboxState.Pending, 10_000), r => r.TargetId == id);
        }

        using var twice = await c.DeleteAsync("/api/subscriptions?token=" + unsubscribe);
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
    }

    [Theory]
    [InlineData("/api/subscriptions", "{\"email\":\"not-an-address\"}", "email")]
    [InlineData("/api/subscriptions", "{\"email\":\"two@@example.org\"}", "email")]
    [InlineData("/api/subscriptions", "{}", "email")]
    [InlineData("/api/subscriptions", "{\"email\":42}", "email")]
    [InlineData("/api/subscriptions", "{\"email\":", "body")]
    [InlineData("/api/optout", "{\"email\":\"nobody\"}", "email")]
    [InlineData("/api/optout", "[]", "body")]
    public async Task BadInput_Answers400_NamingTheField(string path, string body, string field)
    {
        using var c = f.Server.Client();
        var before = RowIds();
        using var r = await c.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(NewRows(before));
    }

    [Fact]
    public async Task OversizedBody_Answers400_NamingTheBody()
    {
        using var c = f.Server.Client();
        using var r = await c.PostAsync("/api/subscriptions",
            new StringContent("{\"email\":\"" + new string('a', 5000) + "@example.org\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("body: larger than", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptOut_ConfirmedFromTheLink_HidesTheAddressFromAccountSearchAndThePrivateTier_AtOnce()
    {
        var emails = f.Alpha.Emails!.Where(e => e.All(char.IsAscii) && EmailNormalizer.Normalize(e) is not null).Order(StringComparer.Ordinal).ToList();
        var hidden = emails[3];
        var other = emails[4];
        using var keyed = f.Server.Client(f.Key);
        using var c = f.Server.Client();
        Assert.Equal(["Alpha"], await PrivateHttpClient.LookupAsync(c, hidden, Phones));
        using (var found = await keyed.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(hidden)))
        {
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        }

        var before = RowIds();
        using var asked = await PostEmail(c, "/api/optout", hidden);
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var (row, mail) = Assert.Single(NewRows(before));
        Assert.Equal(NotifyEvents.OptOutVerify, row.Event);
        Assert.Equal(hidden, mail.To);

        // The link opens a page with a button; the GET alone changes nothing.
        using var page = await c.GetAsync("/optout/verify?token=" + mail.Token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"action=\"/optout/verify?token={mail.Token}\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var still = await keyed.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(hidden)))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        using var confirm = await c.PostAsync("/optout/verify?token=" + mail.Token, new StringContent(""));
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        using (var gone = await keyed.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(hidden)))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using (var upper = await keyed.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(hidden.ToUpperInvariant())))
        {
            Assert.Equal(HttpStatusCode.NotFound, upper.StatusCode);
        }

        Assert.Empty(await PrivateHttpClient.LookupAsync(c, hidden, Phones));
        // Another address in the same breach is still found, by both.
        Assert.Equal(["Alpha"], await PrivateHttpClient.LookupAsync(c, other, Phones));
        using (var kept = await keyed.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(other)))
        {
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        // Every other identifier filed in the hidden one's bucket is still found: the bucket stays sorted by keycheck.
        var config = await PrivateHttpClient.GetConfigAsync(c);
        var bucket = config.Layout.Bucket(PrivateLookupClient.TryCanonicalize(hidden, Phones)!);
        var neighbours = emails.Where(e => e != hidden && config.Layout.Bucket(PrivateLookupClient.TryCanonicalize(e, Phones)!) == bucket).Take(25).ToList();
        Assert.NotEmpty(neighbours);
        foreach (var neighbour in neighbours)
        {
            Assert.Equal(["Alpha"], await PrivateHttpClient.LookupAsync(c, neighbour, Phones, config));
        }

        // The link works once.
        using var twice = await c.PostAsync("/optout/verify?token=" + mail.Token, new StringContent(""));
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);

        await AssertHiddenAfterRestart_AndShownToTheOperator(hidden, other);
    }

    /// <summary>A restarted server (here: a second one over the same state) loads the opt-out before serving; the
    /// operator's <c>check</c> still lists the breaches, marked opted out.</summary>
    private async Task AssertHiddenAfterRestart_AndShownToTheOperator(string hidden, string other)
    {
        await using (var restarted = await RunningServer.StartAsync(f.Options()))
        {
            using var rc = restarted.Client(f.Key);
            using var r = await rc.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(hidden));
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            using var plain = restarted.Client();
            Assert.Empty(await PrivateHttpClient.LookupAsync(plain, hidden, Phones));
            Assert.Equal(["Alpha"], await PrivateHttpClient.LookupAsync(plain, other, Phones));
        }

        // The operator still sees the breaches, marked opted out.
        var text = LeakwatchProcess.Run([.. f.Dir.Dirs, "check", hidden]);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("found in 1 breach(es) (opted out: hidden from public search)", text.Stdout, StringComparison.Ordinal);
        var json = LeakwatchProcess.Run([.. f.Dir.Dirs, "check", hidden, other, "--json"]);
        var lines = json.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(lines[0].GetProperty("optedOut").GetBoolean());
        Assert.Equal("Alpha", lines[0].GetProperty("breaches")[0].GetString());
        Assert.False(lines[1].TryGetProperty("optedOut", out _));
    }

    [Fact]
    public async Task OptOut_AskedTwiceWithinTheHour_MailsOnce_AndAnswersAlike()
    {
        using var c = f.Server.Client();
        var email = Fresh("optout-twice");
        var before = RowIds();
        using var first = await PostEmail(c, "/api/optout", email);
        using var second = await PostEmail(c, "/api/optout", email);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Single(NewRows(before));
    }

    [Fact]
    public async Task NotifyEndpoints_PastThePerIpLimit_Answer429()
    {
        await using var limited = await RunningServer.StartAsync(f.Options() with { NotifyRpm = 2 });
        using var c = limited.Client();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var r = await PostEmail(c, "/api/subscriptions", "not-an-address");
            codes.Add(r.StatusCode);
        }

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task Page_HasTheNotifyAndHideForm_WithItsScriptFromThisOrigin()
    {
        using var c = f.Server.Client(userAgent: null);
        using var r = await c.GetAsync("/");
        var html = await r.Content.ReadAsStringAsync();
        Assert.Contains("<form id=\"notify-form\" novalidate>", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" class=\"primary\" value=\"subscribe\">Notify me</button>", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" class=\"secondary\" value=\"optout\">Hide my address</button>", html, StringComparison.Ordinal);
        Assert.Contains("<script type=\"module\" src=\"/assets/notify.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", r.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var script = await c.GetAsync("/assets/notify.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        var js = await script.Content.ReadAsStringAsync();
        Assert.Contains("'/api/subscriptions'", js, StringComparison.Ordinal);
        Assert.Contains("'/api/optout'", js, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_DocumentsTheNotificationEndpoints()
    {
        using var c = f.Server.Client();
        var doc = await c.GetStringAsync("/openapi/v1.json");
        var paths = JsonDocument.Parse(doc).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/subscriptions", "/api/optout", "/subscriptions/verify", "/subscriptions/unsubscribe", "/optout/verify" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        Assert.True(paths.GetProperty("/api/subscriptions").TryGetProperty("delete", out _));
    }

    [Fact]
    public async Task AfterTheFlows_TheStateFileAndDataDir_HoldNoAddressInAnyForm()
    {
        using var c = f.Server.Client();
        var emails = f.Alpha.Emails!.Where(e => e.All(char.IsAscii) && EmailNormalizer.Normalize(e) is not null).Order(StringComparer.Ordinal).ToList();
        var subscribed = Fresh("scan-subscribed");
        var erased = Fresh("scan-erased");
        var optedOut = emails[7];
        var token = await SubscribeAndReadTokenAsync(c, subscribed);
        using (await c.GetAsync("/subscriptions/verify?token=" + token))
        {
        }

        await SubscribeAndReadTokenAsync(c, erased);
        using (await c.DeleteAsync("/api/subscriptions?token=" + Sealing().Tokens.UnsubscribeToken(MatchKey(erased))))
        {
        }

        var before = RowIds();
        using (await PostEmail(c, "/api/optout", optedOut))
        {
        }

        var (_, mail) = Assert.Single(NewRows(before));
        using (await c.PostAsync("/optout/verify?token=" + mail.Token, new StringContent("")))
        {
        }

        using (await PostEmail(c, "/api/optout", Fresh("scan-pending-optout")))
        {
        }

        var needles = new List<(string What, byte[] Bytes)>();
        foreach (var address in new[] { subscribed, erased, optedOut })
        {
            foreach (var form in new[] { address, address.ToLowerInvariant(), EmailNormalizer.Normalize(address)! }.Distinct())
            {
                needles.Add((form + " (UTF-8)", Encoding.UTF8.GetBytes(form)));
                needles.Add((form + " (UTF-16)", Encoding.Unicode.GetBytes(form)));
                needles.Add((form + " (UTF-16BE)", Encoding.BigEndianUnicode.GetBytes(form)));
            }
        }

        var files = Directory.GetFiles(f.Dir.DataDir, "*", SearchOption.AllDirectories);
        Assert.Contains(files, p => Path.GetFileName(p) == "catalog.db");
        foreach (var file in files)
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }

            foreach (var (what, needle) in needles)
            {
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{Path.GetFileName(file)} holds {what}");
            }
        }
    }

    private byte[] MatchKey(string email)
    {
        var key = new byte[10];
        Leakwatch.Index.IndexKeys.WriteBigEndian(new IdentifierHasher(KeyFile.Load(f.Dir.KeyFile)).HashEmail(EmailNormalizer.Normalize(email)!), key);
        return key;
    }
}
