using System.Text.Json;
using Leakwatch.Catalog.State;

namespace Leakwatch.Cli.Tests;

/// <summary><c>leakwatch domains add|verify|list|remove</c> over a real catalog.db, verified against a real DNS server
/// (dnsmasq) on loopback: what each prints, and the one-line errors.</summary>
public sealed class DomainsCliTests
{
    private static LeakwatchProcess.Result Cli(TempDir dir, params string[] args) => LeakwatchProcess.Run([.. dir.Dirs, "domains", .. args]);

    private static void CreateKeys(TempDir dir, params string[] names)
    {
        Directory.CreateDirectory(dir.DataDir);
        using var store = StateStore.Open(null, dir.DataDir);
        foreach (var name in names)
        {
            store.CreateKey(name, 60, DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public void AddVerifyListRemove_WithARealDnsServer()
    {
        using var dir = new TempDir();
        CreateKeys(dir, "ops");

        var add = Cli(dir, "add", "Müller-Example.DE.", "--key-name", "ops");
        Assert.Equal(0, add.ExitCode);
        var record = Assert.Single(add.StdoutLines);
        Assert.StartsWith("leakwatch-verification=", record, StringComparison.Ordinal);
        Assert.Contains("publish this TXT record at xn--mller-example-wob.de", add.Stderr, StringComparison.Ordinal);

        // No record yet: a clear failure, exit 5.
        using (var empty = new DnsmasqServer())
        {
            var none = Cli(dir, "verify", "xn--mller-example-wob.de", "--dns", empty.Endpoint);
            Assert.Equal(5, none.ExitCode);
            Assert.Equal($"leakwatch: error: xn--mller-example-wob.de: no TXT record leakwatch-verification=… at {empty.Endpoint} (the name does not exist); publish the record `domains add` printed, then verify again",
                Assert.Single(none.StderrLines));
        }

        // A token from another add (the first stops working when the domain is added again).
        var second = Assert.Single(Cli(dir, "add", "müller-example.de", "--key-name", "ops").StdoutLines);
        Assert.NotEqual(record, second);
        using (var stale = new DnsmasqServer(("xn--mller-example-wob.de", record)))
        {
            var wrong = Cli(dir, "verify", "müller-example.de", "--key-name", "ops", "--dns", stale.Endpoint);
            Assert.Equal(5, wrong.ExitCode);
            Assert.Contains("does not hold this key's current token", Assert.Single(wrong.StderrLines), StringComparison.Ordinal);
        }

        var pending = JsonDocument.Parse(Assert.Single(Cli(dir, "list", "--json").StdoutLines)).RootElement;
        Assert.Equal("pending", pending.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, pending.GetProperty("method").ValueKind);

        using (var dns = new DnsmasqServer(("xn--mller-example-wob.de", second)))
        {
            var ok = Cli(dir, "verify", "müller-example.de", "--dns", dns.Endpoint);
            Assert.Equal(0, ok.ExitCode);
            Assert.Equal("xn--mller-example-wob.de verified for key ops (dns)", Assert.Single(ok.StdoutLines));
        }

        var line = JsonDocument.Parse(Assert.Single(Cli(dir, "list", "--json").StdoutLines)).RootElement;
        Assert.Equal("xn--mller-example-wob.de", line.GetProperty("domain").GetString());
        Assert.Equal("ops", line.GetProperty("keyName").GetString());
        Assert.Equal("verified", line.GetProperty("state").GetString());
        Assert.Equal("dns", line.GetProperty("method").GetString());
        Assert.NotEqual(JsonValueKind.Null, line.GetProperty("verified").ValueKind);

        var table = Cli(dir, "list");
        Assert.Equal(0, table.ExitCode);
        // A table as wide as the terminal (80 columns when redirected): long names wrap, the state does not.
        Assert.Contains("Domain", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("ops", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("verified", table.Stdout, StringComparison.Ordinal);

        var again = Cli(dir, "add", "müller-example.de", "--key-name", "ops");
        Assert.Equal("xn--mller-example-wob.de is already verified for key ops", Assert.Single(again.StdoutLines));

        var removed = Cli(dir, "remove", "müller-example.de", "--key-name", "ops");
        Assert.Equal(0, removed.ExitCode);
        Assert.Equal("removed xn--mller-example-wob.de from key ops", Assert.Single(removed.StdoutLines));
        Assert.Empty(Cli(dir, "list", "--json").StdoutLines);
        var twice = Cli(dir, "remove", "müller-example.de", "--key-name", "ops");
        Assert.Equal(5, twice.ExitCode);
        Assert.Equal("leakwatch: error: domain: xn--mller-example-wob.de has not been added for key ops", Assert.Single(twice.StderrLines));
    }

    [Theory]
    [InlineData("192.0.2.7", "leakwatch: error: domain: an IP address is not a domain name")]
    [InlineData("intranet", "leakwatch: error: domain: a single label is not a domain name (e.g. example.com)")]
    [InlineData("bad_name.com", "leakwatch: error: domain: not a valid domain name (letters, digits and hyphens in dot-separated labels)")]
    [InlineData("example.notatld", "leakwatch: error: domain: 'notatld' is not a top-level domain IANA has delegated")]
    public void Add_InvalidDomain_OneLineNamingTheField_Exit2(string domain, string error)
    {
        using var dir = new TempDir();
        CreateKeys(dir, "ops");
        var r = Cli(dir, "add", domain, "--key-name", "ops");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(error, Assert.Single(r.StderrLines));
        Assert.Empty(r.Stdout);
    }

    [Fact]
    public void Errors_UnknownKey_AmbiguousClaim_BadResolver_AreOneLine()
    {
        using var dir = new TempDir();
        CreateKeys(dir, "a", "b");

        var noKey = Cli(dir, "add", "example.com", "--key-name", "nobody");
        Assert.Equal(5, noKey.ExitCode);
        Assert.Equal("leakwatch: error: --key-name: no unrevoked key named 'nobody' (see `leakwatch keys list`)", Assert.Single(noKey.StderrLines));

        Assert.Equal(0, Cli(dir, "add", "example.com", "--key-name", "a").ExitCode);
        Assert.Equal(0, Cli(dir, "add", "example.com", "--key-name", "b").ExitCode);
        var ambiguous = Cli(dir, "verify", "example.com");
        Assert.Equal(2, ambiguous.ExitCode);
        Assert.Equal("leakwatch: error: --key-name: example.com was added by 2 keys; name the one to verify", Assert.Single(ambiguous.StderrLines));

        var notAdded = Cli(dir, "verify", "example.org");
        Assert.Equal(5, notAdded.ExitCode);
        Assert.Single(notAdded.StderrLines);

        var badDns = Cli(dir, "verify", "example.com", "--key-name", "a", "--dns", "dns.example:53");
        Assert.Equal(2, badDns.ExitCode);
        Assert.Equal("leakwatch: error: --dns: 'dns.example:53' is not HOST:PORT with an IP address, e.g. 127.0.0.1:53", Assert.Single(badDns.StderrLines));

        var missing = Cli(dir, "add", "example.com");
        Assert.Equal(2, missing.ExitCode);
    }

    [Fact]
    public void Serve_DnsThatIsNotAnAddress_OneLineNamingTheOption_Exit2()
    {
        using var dir = new TempDir();
        var r = LeakwatchProcess.Run([.. dir.Dirs, "serve", "--urls", "http://127.0.0.1:0", "--dns", "resolver.example"], timeoutMs: 60_000);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("leakwatch: error: --dns: 'resolver.example' is not HOST:PORT with an IP address, e.g. 127.0.0.1:53", Assert.Single(r.StderrLines));
    }

    /// <summary>
    /// <c>domains verify --mailbox</c> queues the mailed link; a running <c>serve --smtp</c> delivers it to the role
    /// address through a real SMTP peer on loopback, and the link's button verifies the claim. Asking again within 10
    /// minutes, or for a mailbox that is not a role mailbox, is a one-line usage error.
    /// </summary>
    [Fact]
    public async Task VerifyByMailbox_QueuesTheLink_ServeDeliversIt_AndItsButtonVerifies()
    {
        using var dir = new TempDir();
        CreateKeys(dir, "ops");
        Assert.Equal(0, Cli(dir, "add", "mail-proof.com", "--key-name", "ops").ExitCode);

        var queued = Cli(dir, "verify", "mail-proof.com", "--mailbox", "Security");
        Assert.True(queued.ExitCode == 0, queued.Stderr);
        Assert.Equal("a one-time link (valid 24 hours) to security@mail-proof.com is queued", Assert.Single(queued.StdoutLines));
        var again = Cli(dir, "verify", "mail-proof.com", "--mailbox", "admin");
        Assert.Equal(2, again.ExitCode);
        Assert.Equal("leakwatch: error: --mailbox: a link for mail-proof.com was mailed less than 10 minutes ago; use it, or ask again later",
            Assert.Single(again.StderrLines));
        var wrong = Cli(dir, "verify", "mail-proof.com", "--mailbox", "webmaster");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("mailbox: must be one of security, hostmaster, postmaster, admin", Assert.Single(wrong.StderrLines), StringComparison.Ordinal);

        await using var smtp = new LoopbackSmtpServer();
        var baseUrl = $"http://127.0.0.1:{ServiceScript.FreePort()}";
        using var serve = System.Diagnostics.Process.Start(LeakwatchProcess.StartInfo([.. dir.Dirs, "serve", "--urls", baseUrl,
            "--smtp", smtp.Url, "--mail-from", "Leakwatch <alerts@leakwatch.test>", "--public-url", baseUrl]))!;
        serve.StandardInput.Close();
        var log = serve.StandardOutput.ReadToEndAsync();
        var errors = serve.StandardError.ReadToEndAsync();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(45);
            while (smtp.Accepted.Count == 0 && DateTime.UtcNow < deadline && !serve.HasExited)
            {
                await Task.Delay(100);
            }

            var mail = Assert.Single(smtp.Accepted).Message;
            Assert.Equal("security@mail-proof.com", mail.To.Mailboxes.Single().Address);
            var link = System.Text.RegularExpressions.Regex.Match(mail.TextBody ?? "", @"http://127\.0\.0\.1:\d+/api/domains/verify\?token=[A-Za-z0-9_-]+",
                System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)).Value;
            Assert.StartsWith(baseUrl, link, StringComparison.Ordinal);
            using var http = new HttpClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostAsync(link, null)).StatusCode);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }

        _ = await log + await errors;
        var claim = JsonDocument.Parse(Assert.Single(Cli(dir, "list", "--json").StdoutLines)).RootElement;
        Assert.Equal("verified", claim.GetProperty("state").GetString());
        Assert.Equal("email", claim.GetProperty("method").GetString());
        var done = Cli(dir, "verify", "mail-proof.com", "--mailbox", "security");
        Assert.Equal("mail-proof.com is already verified for this key; no mail queued", Assert.Single(done.StdoutLines));
    }
}
