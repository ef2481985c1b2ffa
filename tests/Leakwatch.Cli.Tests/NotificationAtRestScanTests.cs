using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Leakwatch.Cli.Tests;

/// <summary>
/// The at-rest scan extended to the state store (issue 15): every notification flow run for real against a PostgreSQL
/// state store (subscribe and confirm, opt out and confirm, monitored identifiers, a webhook with its secret, a domain
/// verified by a mail to its role address, a breach published and its mail and domain alert delivered through a
/// loopback SMTP server), then a <c>pg_dump</c> of the database and every
/// file of the data dir are scanned for each address, phone and secret in every form. Nothing may be found.
/// </summary>
public sealed partial class NotificationAtRestScanTests(PostgresFixture fixture) : IClassFixture<PostgresFixture>
{
    private const string Alice = "Alice.Scan@Example.com";
    private const string Bob = "bob.scan@example.org";
    private const string Carol = "carol.scan@example.net";
    private const string Dave = "dave.scan@scan-org.com";
    private const string OrgDomain = "scan-org.com";
    private const string RoleAddress = "security@scan-org.com";
    private const ulong Phone = 14155550142;

    [Fact]
    public async Task StateStoreDumpAndDataDir_AfterEveryNotificationFlow_HoldNoIdentifierOrSecret()
    {
        using var dir = new TempDir();
        var state = fixture.Server.CreateDatabase("scan");
        var one = dir.File("one.csv");
        File.WriteAllText(one, $"email,phone\n{Alice},\n{Bob},\n{Carol},+{Phone}\nsomeone.else@example.com,\n");
        Cli(dir, state, "ingest", one, "--breach", "One", "--date", "2024-01-01");
        var apiKey = Cli(dir, state, "keys", "create", "--name", "org", "--rpm", "6000").StdoutLines[0];

        await using var smtp = new LoopbackSmtpServer();
        var port = ServiceScript.FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        using var serve = Process.Start(LeakwatchProcess.StartInfo([.. dir.Dirs, "--state", state, "serve", "--urls", baseUrl,
            "--smtp", smtp.Url, "--mail-from", "Leakwatch <alerts@leakwatch.test>", "--public-url", baseUrl, "--allow-private-webhooks"]))!;
        serve.StandardInput.Close();
        var log = serve.StandardOutput.ReadToEndAsync();
        var errors = serve.StandardError.ReadToEndAsync();
        string secret;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("notification-scan-test");
            await WaitUp(http);

            // Subscribe and confirm.
            Assert.Equal(202, (int)(await http.PostAsJsonAsync("/api/subscriptions", new { email = Alice })).StatusCode);
            var verify = await MailWithLink(smtp, 1, "/subscriptions/verify");
            Assert.Equal(200, (int)(await http.GetAsync(verify)).StatusCode);

            // Opt out and confirm.
            Assert.Equal(202, (int)(await http.PostAsJsonAsync("/api/optout", new { email = Bob })).StatusCode);
            var optout = await MailWithLink(smtp, 2, "/optout/verify", () => Cli(dir, state, "notify", "status").Stdout);
            Assert.Equal(200, (int)(await http.PostAsync(optout, null)).StatusCode);

            // Monitored identifiers and a webhook.
            using (var upload = new HttpRequestMessage(HttpMethod.Post, "/api/monitor/identifiers"))
            {
                upload.Headers.Add("hibp-api-key", apiKey);
                upload.Content = new StringContent($"{Carol}\n+1 415-555-0142\n", Encoding.UTF8, "text/plain");
                var answer = await http.SendAsync(upload);
                Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
            }

            using (var hook = new HttpRequestMessage(HttpMethod.Post, "/api/monitor/webhooks"))
            {
                hook.Headers.Add("hibp-api-key", apiKey);
                hook.Content = JsonContent.Create(new { url = $"http://127.0.0.1:{ServiceScript.FreePort()}/hook" });
                var answer = await http.SendAsync(hook);
                var body = await answer.Content.ReadAsStringAsync();
                Assert.True(answer.IsSuccessStatusCode, body);
                secret = JsonDocument.Parse(body).RootElement.GetProperty("secret").GetString()!;
            }

            // A domain proved by mail to its role address, which is kept (sealed) on the claim for the domain's alerts.
            await SendAsync(http, apiKey, HttpMethod.Post, "/api/domains", new { domain = OrgDomain });
            await SendAsync(http, apiKey, HttpMethod.Post, $"/api/domains/{OrgDomain}/verify", new { method = "email", mailbox = "security" });
            var domainLink = await MailWithLink(smtp, 3, "/api/domains/verify");
            Assert.Equal(RoleAddress, smtp.Accepted[2].Message.To.Mailboxes.Single().Address);
            Assert.Equal(200, (int)(await http.PostAsync(domainLink, null)).StatusCode);

            // A new breach holding Alice, Carol and Dave: matched on publish; Alice's mail and the domain's alert (to
            // the role address, with Dave's domain and the count) delivered.
            var two = dir.File("two.csv");
            File.WriteAllText(two, $"email,phone\n{Alice},\n{Carol},+{Phone}\n{Dave},\n");
            Cli(dir, state, "ingest", two, "--breach", "Two", "--date", "2025-01-01");
            await WaitForMail(smtp, 5, () => Cli(dir, state, "notify", "status").Stdout);
            var subjects = smtp.Accepted.Skip(3).Select(m => m.Message.Subject).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["1 address on scan-org.com is in Two", "You were found in a new breach: Two"], subjects);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }

        _ = await log + await errors;

        ScanDumpAndDataDir(dir, state, secret);
    }

    private void ScanDumpAndDataDir(TempDir dir, string state, string secret)
    {
        var dump = dir.File("state.sql");
        var database = new Uri(state).AbsolutePath.TrimStart('/');
        ServiceScript.Run("pg_dump", "-h", "127.0.0.1", "-p", fixture.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", "leakwatch", "-d", database, "-f", dump);
        Assert.Contains("subscriptions", File.ReadAllText(dump), StringComparison.Ordinal); // the dump holds the tables scanned

        var needles = new List<byte[]>();
        foreach (var email in new[] { Alice, Alice.ToLowerInvariant(), Bob, Carol, Dave, RoleAddress })
        {
            needles.AddRange(PrivacyScanTests.Forms(email));
        }

        foreach (var text in PrivacyScanTests.PhoneTexts(Phone))
        {
            needles.AddRange(PrivacyScanTests.Forms(text));
        }

        needles.AddRange(PrivacyScanTests.Forms(secret));
        needles.AddRange(PrivacyScanTests.Forms(secret["whsec_".Length..]));
        var files = Directory.GetFiles(dir.DataDir, "*", SearchOption.AllDirectories).Append(dump).ToList();
        Assert.Empty(PrivacyScanTests.Scan(files, needles));
    }

    private static async Task SendAsync(HttpClient http, string apiKey, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("hibp-api-key", apiKey);
        request.Content = JsonContent.Create(body);
        using var answer = await http.SendAsync(request);
        Assert.True(answer.IsSuccessStatusCode, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    private static LeakwatchProcess.Result Cli(TempDir dir, string state, params string[] args) => PostgresStateTests.Cli(dir, state, args);

    private static async Task WaitUp(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "serve did not come up");
            await Task.Delay(100);
        }
    }

    private static async Task<ReceivedMail> WaitForMail(LoopbackSmtpServer smtp, int count, Func<string>? status = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (smtp.Accepted.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"mail {count} did not arrive; outbox: {status?.Invoke()}");
            await Task.Delay(100);
        }

        return smtp.Accepted[count - 1];
    }

    private static async Task<string> MailWithLink(LoopbackSmtpServer smtp, int count, string path, Func<string>? status = null)
    {
        var mail = await WaitForMail(smtp, count, status);
        var text = mail.Message.TextBody ?? "";
        var match = LinkPattern().Match(text);
        Assert.True(match.Success && match.Value.Contains(path, StringComparison.Ordinal), text);
        return match.Value;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/(subscriptions|optout|api/domains)/verify\?token=[A-Za-z0-9_-]+", RegexOptions.ExplicitCapture, 1000)]
    private static partial Regex LinkPattern();
}
