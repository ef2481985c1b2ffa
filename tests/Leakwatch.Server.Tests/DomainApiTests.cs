using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Server.Domains;
using Microsoft.Extensions.DependencyInjection;

namespace Leakwatch.Server.Tests;

/// <summary>Domain verification through the real server: adding a domain, proving it by a TXT record a real DNS
/// server (dnsmasq) serves or by a mailed link a real SMTP server receives, and <c>/api/v3/subscribeddomains</c>.</summary>
public sealed class DomainApiTests(DomainFixture f) : IClassFixture<DomainFixture>
{
    private HttpClient Client(string key) => f.Server.Client(f.Keys[key].Secret);

    private static string Fresh(string name) => $"{name}-{Guid.NewGuid():N}"[..20] + ".com";

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>Adds the domain for the key; the TXT record's value.</summary>
    private static async Task<string> AddAsync(HttpClient c, string domain)
    {
        using var r = await c.PostAsJsonAsync("/api/domains", new { domain });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var body = await Json(r);
        Assert.Equal("pending", body.GetProperty("state").GetString());
        var txt = body.GetProperty("txtRecord").GetString()!;
        Assert.StartsWith("leakwatch-verification=", txt, StringComparison.Ordinal);
        return txt;
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient c, string domain, object? body = null) =>
        c.PostAsync($"/api/domains/{domain}/verify", body is null ? null : JsonContent.Create(body));

    [Fact]
    public async Task Dns_WithTheRightRecord_Verifies_AndTheDomainIsNormalised()
    {
        using var c = Client("alpha");
        var domain = Fresh("right");
        using (var r = await c.PostAsJsonAsync("/api/domains", new { domain = " " + domain.ToUpperInvariant() + ". " }))
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            var body = await Json(r);
            Assert.Equal(domain, body.GetProperty("domain").GetString());
            f.Dns.Restart((domain, body.GetProperty("txtRecord").GetString()!), ("other.com", "leakwatch-verification=nothing-to-do-with-it"));
        }

        using var verified = await VerifyAsync(c, domain);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var v = await Json(verified);
        Assert.Equal("verified", v.GetProperty("state").GetString());
        Assert.Equal("dns", v.GetProperty("method").GetString());
        Assert.True(f.Server.App.Services.GetRequiredService<DomainApi>().IsVerified(f.Keys["alpha"].Id, domain.ToUpperInvariant()));

        // Added again once verified: nothing changes, no token.
        using var again = await c.PostAsJsonAsync("/api/domains", new { domain });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var a = await Json(again);
        Assert.Equal("verified", a.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("txtRecord").ValueKind);
    }

    [Fact]
    public async Task Dns_WithoutTheRecord_Fails_SayingNoRecord()
    {
        using var c = Client("alpha");
        var domain = Fresh("none");
        await AddAsync(c, domain);
        f.Dns.Restart();

        using var r = await VerifyAsync(c, domain, new { method = "dns" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
        var message = (await Json(r)).GetProperty("message").GetString()!;
        Assert.Contains($"{domain}: no TXT record leakwatch-verification=", message, StringComparison.Ordinal);
        Assert.False(f.Server.App.Services.GetRequiredService<DomainApi>().IsVerified(f.Keys["alpha"].Id, domain));
    }

    [Fact]
    public async Task Dns_WithAStaleToken_Fails_SayingTheTokenIsNotCurrent()
    {
        using var c = Client("alpha");
        var domain = Fresh("stale");
        var first = await AddAsync(c, domain);
        // Adding a pending domain again issues a fresh token: the first one no longer proves anything.
        var second = await AddAsync(c, domain);
        Assert.NotEqual(first, second);
        f.Dns.Restart((domain, first));

        using var r = await VerifyAsync(c, domain);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
        Assert.Contains("does not hold this key's current token", (await Json(r)).GetProperty("message").GetString(), StringComparison.Ordinal);

        f.Dns.Restart((domain, second));
        using var ok = await VerifyAsync(c, domain);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task ADomainVerifiedByOneKey_IsClaimedByAnotherOnlyWithItsOwnProof()
    {
        using var alpha = Client("alpha");
        using var beta = Client("beta");
        var domain = Fresh("shared");
        f.Dns.Restart((domain, await AddAsync(alpha, domain)));
        using (var ok = await VerifyAsync(alpha, domain))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await AddAsync(beta, domain);
        using var r = await VerifyAsync(beta, domain);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode);
        var api = f.Server.App.Services.GetRequiredService<DomainApi>();
        Assert.True(api.IsVerified(f.Keys["alpha"].Id, domain));
        Assert.False(api.IsVerified(f.Keys["beta"].Id, domain));
    }

    [Theory]
    [InlineData("{\"domain\":\"192.0.2.1\"}", "domain: an IP address is not a domain name")]
    [InlineData("{\"domain\":\"intranet\"}", "domain: a single label is not a domain name (e.g. example.com)")]
    [InlineData("{\"domain\":\"bad_name.com\"}", "domain: not a valid domain name (letters, digits and hyphens in dot-separated labels)")]
    [InlineData("{}", "domain: required")]
    [InlineData("{\"domain\":", "body: malformed JSON (expected an object such as {\"domain\": \"example.com\"})")]
    public async Task Add_InvalidDomain_400_OneLineNamingTheField(string body, string message)
    {
        using var c = Client("alpha");
        using var r = await c.PostAsync("/api/domains", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal($"{{\"statusCode\":400,\"message\":{JsonSerializer.Serialize(message)}}}", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Verify_UnknownDomainOrMethodOrMailbox_SaysWhich()
    {
        using var c = Client("alpha");
        using (var r = await VerifyAsync(c, Fresh("unknown")))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Contains("has not been added for this key", (await Json(r)).GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var domain = Fresh("method");
        await AddAsync(c, domain);
        using (var r = await VerifyAsync(c, domain, new { method = "carrier-pigeon" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("method: must be dns or email", (await Json(r)).GetProperty("message").GetString());
        }

        using (var r = await VerifyAsync(c, domain, new { method = "email", mailbox = "ceo" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("mailbox: must be one of security, hostmaster, postmaster, admin", (await Json(r)).GetProperty("message").GetString());
        }
    }

    /// <summary>The link's path and query, as the text part has it (the token is base64url: nothing to unescape).</summary>
    private static string Link(string text)
    {
        const string Base = "https://leakwatch.example";
        var start = text.IndexOf(Base + "/api/domains/verify?token=", StringComparison.Ordinal);
        Assert.True(start >= 0, "the mail's text part has no verification link");
        var end = start + Base.Length;
        while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] is not ('>' or ')'))
        {
            end++;
        }

        return text[(start + Base.Length)..end];
    }

    private async Task<string> MailedLinkAsync(string to)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var mail = f.Smtp.Received.FirstOrDefault(m => m.To.Contains(to, StringComparer.OrdinalIgnoreCase));
            if (mail is not null)
            {
                // Parsed by MimeKit from the bytes the SMTP server got; the link is in both parts.
                Assert.Equal(to, Assert.Single(mail.Message.To.Mailboxes).Address);
                Assert.Contains("Confirm control of", mail.Message.HtmlBody, StringComparison.Ordinal);
                return Link(mail.Message.TextBody ?? "");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no mail to {to} within 30 s");
    }

    [Fact]
    public async Task Email_TheMailedLink_AsksThenVerifies_AndWorksOnce()
    {
        using var c = Client("beta");
        using var anonymous = f.Server.Client();
        var domain = Fresh("mail");
        await AddAsync(c, domain);
        using (var r = await VerifyAsync(c, domain, new { method = "email", mailbox = "Security" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            Assert.Equal($"security@{domain}", (await Json(r)).GetProperty("mailbox").GetString());
        }

        using (var soon = await VerifyAsync(c, domain, new { method = "email", mailbox = "admin" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, soon.StatusCode);
        }

        var link = await MailedLinkAsync($"security@{domain}");
        // The link opens a page whose button verifies: the GET alone (a mail scanner's prefetch) changes nothing.
        using (var page = await anonymous.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains($"action=\"{link}\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("pending", await StateOfAsync(c, domain));
        using (var confirm = await anonymous.PostAsync(link, new StringContent("")))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }

        Assert.Equal("verified", await StateOfAsync(c, domain));
        using var list = await c.GetAsync("/api/domains");
        var entry = (await Json(list)).EnumerateArray().Single(e => e.GetProperty("domain").GetString() == domain);
        Assert.Equal("email", entry.GetProperty("method").GetString());

        using (var twice = await anonymous.PostAsync(link, new StringContent("")))
        {
            Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
        }

        using (var page = await anonymous.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        }
    }

    [Fact]
    public async Task Email_AnExpiredLink_VerifiesNothing()
    {
        using var c = Client("beta");
        using var anonymous = f.Server.Client();
        var domain = Fresh("expired");
        await AddAsync(c, domain);
        using (var r = await VerifyAsync(c, domain, new { method = "email", mailbox = "hostmaster" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }

        var link = await MailedLinkAsync($"hostmaster@{domain}");
        f.Clock.Advance(TimeSpan.FromHours(25));
        using (var confirm = await anonymous.PostAsync(link, new StringContent("")))
        {
            Assert.Equal(HttpStatusCode.NotFound, confirm.StatusCode);
        }

        Assert.Equal("pending", await StateOfAsync(c, domain));
    }

    private static async Task<string?> StateOfAsync(HttpClient c, string domain)
    {
        using var list = await c.GetAsync("/api/domains");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        return (await Json(list)).EnumerateArray().Single(e => e.GetProperty("domain").GetString() == domain).GetProperty("state").GetString();
    }

    [Fact]
    public async Task SubscribedDomains_AnswersTheKeysVerifiedDomainsOnly_WithHibpFieldNames()
    {
        using var c = Client("gamma");
        var verified = Fresh("aaa-verified");
        var pending = Fresh("zzz-pending");
        f.Dns.Restart((verified, await AddAsync(c, verified)));
        using (var ok = await VerifyAsync(c, verified))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await AddAsync(c, pending);
        using var r = await c.GetAsync("/api/v3/subscribeddomains");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json; charset=utf-8", r.Content.Headers.ContentType?.ToString());
        // The domain store exists (the fixture's ingest built it) and holds no address of this domain: counts 0.
        Assert.Equal(
            $"[{{\"DomainName\":\"{verified}\",\"PwnCount\":0,\"PwnCountExcludingSpamLists\":0,"
            + "\"PwnCountExcludingSpamListsAtLastSubscriptionRenewal\":0,\"NextSubscriptionRenewal\":null}]",
            await r.Content.ReadAsStringAsync());

        using var noKey = await f.Server.Client().GetAsync("/api/v3/subscribeddomains");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    [Fact]
    public async Task Remove_DropsTheClaim()
    {
        using var c = Client("alpha");
        var domain = Fresh("remove");
        await AddAsync(c, domain);
        using (var r = await c.DeleteAsync($"/api/domains/{domain}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        }

        using var again = await c.DeleteAsync($"/api/domains/{domain}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var store = SqliteStateStore.Open(f.Dir.DataDir);
        Assert.Null(store.Domain(f.Keys["alpha"].Id, domain));
    }

    [Fact]
    public async Task OpenApi_ListsTheDomainEndpoints()
    {
        using var c = f.Server.Client();
        var paths = JsonDocument.Parse(await c.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/domains").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/domains").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/domains/{domain}/verify").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/domains/{domain}").TryGetProperty("delete", out _));
        Assert.True(paths.GetProperty("/api/domains/verify").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/v3/subscribeddomains").TryGetProperty("get", out _));
    }
}
