using System.Text;
using System.Text.RegularExpressions;
using Leakwatch.Catalog.State;
using Leakwatch.Index;
using Leakwatch.Notify;
using Leakwatch.Notify.Delivery;
using Leakwatch.Notify.Domains;
using Leakwatch.Notify.Mail;
using Leakwatch.Notify.Tests.Delivery;
using Leakwatch.Privacy;
using MimeKit;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// Domain alerts end to end: a domain verified by a mailed link (delivered through a real loopback SMTP server and
/// confirmed with the link the mail carried), a real ingest counting the dump's distinct addresses on it, and the
/// alert delivered as a mail (parsed with MimeKit) and to a webhook receiver that checks the Standard Webhooks
/// signature with an independent implementation. No address of the dump is in any of it.
/// </summary>
public sealed partial class DomainAlertTests : IAsyncLifetime
{
    private const string PublicUrl = "https://leakwatch.example";
    private const int OwnerKey = 1;
    private const int DnsKey = 2;

    private readonly string _temp = Directory.CreateTempSubdirectory("lw-domain-alerts-").FullName;
    private readonly string _secret = WebhookSecrets.New();
    private readonly LoopbackSmtpServer _smtp = new();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync(_secret);

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _smtp.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    // Distinct on acme.com: alice, bob, carol (alice twice, once in capitals; carol twice). Not counted: a subdomain,
    // an unverified domain, a domain verified by another key by DNS (counted, but that key has no webhook for it).
    private static readonly string[] DumpEmails =
    [
        "alice@acme.com", "bob@acme.com", "ALICE@acme.com", "carol@acme.com", "carol@acme.com",
        "dave@mail.acme.com", "erin@other.org", "frank@beta.net",
    ];

    [Fact]
    public async Task Ingest_AddressesOnAVerifiedDomain_OneAlertWithTheDistinctCount_ByMailAndSignedWebhook_NoAddress_NoSecondAlert()
    {
        var (store, keys, state, sealing) = Open("verified");
        using var _ = state;
        using var smtpChannel = MailChannel(state, sealing);
        using var webhookChannel = new WebhookDeliveryChannel(state, sealing, new WebhookDeliveryOptions { AllowPrivate = true, PublicUrl = PublicUrl });
        var loop = new DeliveryLoop(state, [smtpChannel, webhookChannel]);

        // acme.com proved by a mail to security@acme.com: the link comes from the delivered mail.
        var ownership = new DomainOwnership(state);
        ownership.Add(OwnerKey, "acme.com");
        Assert.Equal(MailRequestOutcome.Queued, ownership.RequestMail(OwnerKey, "acme.com", "security", sealing));
        Assert.Equal(1, await loop.RunOnceAsync(CancellationToken.None));
        var verifyMail = Assert.Single(_smtp.Accepted).Message;
        var token = Uri.UnescapeDataString(VerifyLink().Match(verifyMail.TextBody ?? "").Groups["token"].Value);
        Assert.Equal("email", ownership.ConfirmLink(token)?.Method);
        // beta.net verified by another key through DNS: no mail address, and no webhook of that key.
        ownership.Add(DnsKey, "beta.net");
        Assert.True(state.MarkDomainVerified(DnsKey, "beta.net", "dns", DateTimeOffset.UtcNow));
        ownership.Add(OwnerKey, "other.org"); // claimed, never verified
        var hook = state.AddWebhook(OwnerKey, _receiver.Url("/ok"), sealing.WebhookSecret.Seal(Encoding.UTF8.GetBytes(_secret), NotifySealing.WebhookSecretContext),
            WebhookEvents.DomainBreach, DateTimeOffset.UtcNow, 10)!.Value;

        var dump = Path.Combine(_temp, "acme.csv");
        File.WriteAllText(dump, "email,name\n" + string.Concat(DumpEmails.Select((e, i) => $"{e},Person {i}\n")));
        var stats = Ingest(store, keys, dump, "AcmeLeak");

        var counts = Assert.IsType<DomainAlertCounts>(stats.DomainAlerts);
        Assert.Null(counts.Error);
        Assert.Equal(2, counts.VerifiedDomains);
        Assert.Equal(DumpEmails.Length, counts.Lookups);
        Assert.Equal(2, counts.DomainsHit);
        Assert.Equal(2, counts.Queued);
        var rows = state.Outbox(OutboxState.Pending, 100).Where(r => r.Event == NotifyEvents.DomainBreach).ToList();
        Assert.Equal(2, rows.Count);
        var mailRow = Assert.Single(rows, r => r.Channel == OutboxChannel.Mail);
        Assert.Equal(OwnerKey, mailRow.TargetId);
        var webhookRow = Assert.Single(rows, r => r.Channel == OutboxChannel.Webhook);
        Assert.Equal(hook, webhookRow.TargetId);
        Assert.Equal(new DomainAlertPayload("acme.com", 3), DomainAlertPayload.Open(sealing, mailRow.SealedPayload!, mailRow.MessageId));
        var breachId = mailRow.BreachId;
        Assert.Equal("AcmeLeak", state.BreachById(breachId)!.Name);

        Assert.Equal(2, await loop.RunOnceAsync(CancellationToken.None));

        var alert = _smtp.Accepted[^1].Message;
        Assert.Equal("security@acme.com", ((MailboxAddress)Assert.Single(alert.To)).Address);
        Assert.Equal("3 addresses on acme.com are in AcmeLeak", alert.Subject);
        Assert.Equal($"{mailRow.MessageId}@leakwatch.example", alert.MessageId);
        Assert.IsType<MultipartAlternative>(alert.Body);
        foreach (var body in new[] { alert.TextBody ?? "", alert.HtmlBody ?? "" })
        {
            Assert.Contains($"{PublicUrl}/api/v3/breacheddomain/acme.com", body, StringComparison.Ordinal);
            Assert.Contains($"{PublicUrl}/breaches/AcmeLeak/report", body, StringComparison.Ordinal);
            AssertNoDumpAddress(body);
        }

        var line = await _receiver.NextAsync();
        Assert.True(line.GetProperty("verified").GetBoolean(), line.ToString());
        Assert.Equal(webhookRow.MessageId, line.GetProperty("id").GetString());
        var payload = line.GetProperty("body");
        Assert.Equal("domain.breach", payload.GetProperty("type").GetString());
        var domain = payload.GetProperty("data").GetProperty("domain");
        Assert.Equal("acme.com", domain.GetProperty("Name").GetString());
        Assert.Equal(3, domain.GetProperty("Count").GetInt64());
        Assert.Equal($"{PublicUrl}/api/v3/breacheddomain/acme.com", domain.GetProperty("AliasesUrl").GetString());
        Assert.Equal("AcmeLeak", payload.GetProperty("data").GetProperty("breach").GetProperty("Name").GetString());
        AssertNoDumpAddress(payload.GetRawText());

        // A re-run for the same breach (a crash before the ingest returned, a replay) queues and sends nothing new.
        Assert.Equal(0, DomainAlertQueue.Enqueue(state, sealing, breachId, new Dictionary<string, long> { ["acme.com"] = 3 }, DateTimeOffset.UtcNow));
        Assert.Equal(0, await loop.RunOnceAsync(CancellationToken.None));
        Assert.False(await _receiver.AnyWithinAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(2, _smtp.Accepted.Count);
    }

    [Fact]
    public void Ingest_NoVerifiedDomain_NoLookupAndNoAlert()
    {
        var (store, keys, state, _) = Open("none");
        using var __ = state;
        new DomainOwnership(state).Add(OwnerKey, "acme.com"); // pending only
        var dump = Path.Combine(_temp, "plain.csv");
        File.WriteAllText(dump, "email,name\n" + string.Concat(DumpEmails.Select((e, i) => $"{e},Person {i}\n")));

        var stats = Ingest(store, keys, dump, "PlainLeak");

        var counts = Assert.IsType<DomainAlertCounts>(stats.DomainAlerts);
        Assert.Equal((0, 0L, 0, 0), (counts.VerifiedDomains, counts.Lookups, counts.DomainsHit, counts.Queued));
        Assert.DoesNotContain(state.Outbox(OutboxState.Pending, 100), r => r.Event == NotifyEvents.DomainBreach);
    }

    [Fact]
    public void UlpIngest_LoginsOnAVerifiedDomain_CountedDistinct_InEveryLayout()
    {
        var (store, keys, state, sealing) = Open("ulp");
        using var __ = state;
        new DomainOwnership(state).Add(OwnerKey, "acme.com");
        Assert.True(state.MarkDomainVerified(OwnerKey, "acme.com", "dns", DateTimeOffset.UtcNow));
        var hook = state.AddWebhook(OwnerKey, "https://hooks.example.com/in", sealing.WebhookSecret.Seal(Encoding.UTF8.GetBytes(_secret), NotifySealing.WebhookSecretContext),
            WebhookEvents.DomainBreach, DateTimeOffset.UtcNow, 10)!.Value;
        var dump = Path.Combine(_temp, "logs.txt");
        File.WriteAllText(dump, string.Join('\n',
            "https://shop.test/login:alice@acme.com:pw-one",
            "shop.test|bob@acme.com|pw-two",
            "alice@acme.com:pw-three:https://mail.test/",
            "android://abc@com.app.test/:carol@acme.com:pw-four",
            "https://forum.test:justausername:pw-five",
            "https://forum.test:erin@other.org:pw-six") + "\n");

        var stats = new IngestPipeline(store, keys).Run(dump, new IngestOptions
        {
            BreachName = "Logs",
            BreachDate = new DateOnly(2026, 11, 1),
            Workers = 2,
            Reader = new Reading.ReaderOptions { Format = Reading.DumpFormat.Ulp },
        });

        var counts = Assert.IsType<DomainAlertCounts>(stats.DomainAlerts);
        Assert.Equal((1, 5L, 1, 1), (counts.VerifiedDomains, counts.Lookups, counts.DomainsHit, counts.Queued));
        var row = Assert.Single(state.Outbox(OutboxState.Pending, 100), r => r.Event == NotifyEvents.DomainBreach);
        Assert.Equal((OutboxChannel.Webhook, hook), (row.Channel, row.TargetId));
        Assert.Equal(new DomainAlertPayload("acme.com", 3), DomainAlertPayload.Open(sealing, row.SealedPayload!, row.MessageId));
    }

    private static void AssertNoDumpAddress(string text)
    {
        foreach (var local in new[] { "alice", "bob", "carol", "dave", "erin", "frank" })
        {
            Assert.DoesNotContain(local, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    private (ExposureIndexStore Store, KeyFile Keys, StateStore State, NotifySealing Sealing) Open(string name)
    {
        var dir = Path.Combine(_temp, name);
        Directory.CreateDirectory(dir);
        var keys = KeyFile.Create(Path.Combine(_temp, name + ".key"));
        return (new ExposureIndexStore(dir), keys, StateStore.Open(null, dir), new NotifySealing(keys));
    }

    private SmtpDeliveryChannel MailChannel(StateStore state, NotifySealing sealing)
    {
        var options = MailOptions.Parse(_smtp.Url, null, "Leakwatch <alerts@leakwatch.example>", PublicUrl)!;
        return new SmtpDeliveryChannel(options, new MailComposer(options, state, sealing));
    }

    private static IngestStats Ingest(ExposureIndexStore store, KeyFile keys, string dump, string breach) =>
        new IngestPipeline(store, keys).Run(dump, new IngestOptions
        {
            BreachName = breach,
            BreachDate = new DateOnly(2026, 11, 1),
            Workers = 2,
        });

    [GeneratedRegex(@"/api/domains/verify\?token=(?<token>[A-Za-z0-9%_\-\.~]+)", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex VerifyLink();
}
