using System.Diagnostics;
using System.Text;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Notify.Delivery;
using Leakwatch.Privacy;

namespace Leakwatch.Notify.Tests.Delivery;

/// <summary>
/// Webhook delivery against a real receiver on loopback whose signature check is an independent implementation (npm
/// <c>standardwebhooks</c>): what it verifies, the same <c>webhook-id</c> on a retry, 410 disabling the webhook, a
/// hanging receiver cut at the timeout, and private targets refused at connect time.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Created = new(2026, 12, 3, 7, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-webhooks-").FullName;
    private readonly KeyFile _keys = KeyFile.Ephemeral();
    private readonly string _secret = WebhookSecrets.New();
    private NotifySealing _sealing = null!;
    private StateStore _store = null!;
    private WebhookReceiver _receiver = null!;
    private int _breachId;

    public async Task InitializeAsync()
    {
        _sealing = new NotifySealing(_keys);
        _store = StateStore.Open(null, _dir);
        _breachId = _store.InsertBreach(new Breach
        {
            Name = "Acme",
            Title = "Acme Corp",
            Domain = "acme.example",
            BreachDate = new DateOnly(2024, 2, 29),
            AddedDate = Created,
            PwnCount = 1234,
            Description = "Acme's <em>customer</em> table",
            DataClasses = ["Email addresses", "Passwords", "Phone numbers"],
            IsVerified = true,
        });
        _receiver = await WebhookReceiver.StartAsync(_secret);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private long AddWebhook(string url, string? secret = null) =>
        _store.AddWebhook(1, url, _sealing.WebhookSecret.Seal(Encoding.UTF8.GetBytes(secret ?? _secret), NotifySealing.WebhookSecretContext),
            WebhookEvents.BreachExposed | WebhookEvents.BreachPublished, Created)!.Value;

    private OutboxItem Exposed(long webhook, string messageId, params string[] identifiers) => new()
    {
        Dedupe = "w:" + webhook,
        Channel = OutboxChannel.Webhook,
        TargetId = webhook,
        BreachId = _breachId,
        Event = NotifyEvents.BreachExposed,
        MessageId = messageId,
        SealedPayload = new MatchPayload(identifiers).Seal(_sealing, messageId),
        Created = Created,
    };

    private WebhookDeliveryChannel Channel(bool allowPrivate = true, double timeoutSeconds = 10) =>
        new(_store, _sealing, new WebhookDeliveryOptions
        {
            AllowPrivate = allowPrivate,
            Timeout = TimeSpan.FromSeconds(timeoutSeconds),
            PublicUrl = "https://leakwatch.example/",
        });

    [Fact]
    public async Task Deliver_ToARealReceiver_VerifiesWithTheIndependentImplementation_AndCarriesTheDocumentedBody()
    {
        var webhook = AddWebhook(_receiver.Url("/ok"));
        using var channel = Channel();
        Assert.Equal($"127.0.0.1:{_receiver.Port}", channel.Destination(Exposed(webhook, "msg_1")));

        var outcome = await channel.DeliverAsync(Exposed(webhook, "msg_1", "phone ending 42"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Delivered, outcome);
        var line = await _receiver.NextAsync();
        Assert.True(line.GetProperty("verified").GetBoolean(), line.ToString());
        Assert.Equal("msg_1", line.GetProperty("id").GetString());
        Assert.StartsWith("application/json", line.GetProperty("contentType").GetString(), StringComparison.Ordinal);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(long.Parse(line.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture), now - 30, now + 1);

        var body = line.GetProperty("body");
        Assert.Equal("breach.exposed", body.GetProperty("type").GetString());
        Assert.Equal("2026-12-03T07:00:00.000000Z", body.GetProperty("timestamp").GetString());
        var breach = body.GetProperty("data").GetProperty("breach");
        Assert.Equal("Acme", breach.GetProperty("Name").GetString());
        Assert.Equal("Acme Corp", breach.GetProperty("Title").GetString());
        Assert.Equal("2024-02-29", breach.GetProperty("BreachDate").GetString());
        Assert.Equal("Acme's <em>customer</em> table", breach.GetProperty("Description").GetString());
        Assert.Equal(["Email addresses", "Passwords", "Phone numbers"], breach.GetProperty("DataClasses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("https://leakwatch.example/breaches/Acme/report", breach.GetProperty("ReportUrl").GetString());
        Assert.Equal(["phone ending 42"], body.GetProperty("data").GetProperty("identifiers").EnumerateArray().Select(e => e.GetString()));
        var advice = body.GetProperty("data").GetProperty("advice").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.Equal(ExposureAdvice.For(["Email addresses", "Passwords", "Phone numbers"]).Select(r => r.Id), advice);
    }

    [Fact]
    public async Task Deliver_SignedWithAnotherSecret_IsRejectedByTheReceiver_AndDeadLettered()
    {
        var webhook = AddWebhook(_receiver.Url("/ok"), WebhookSecrets.New());
        using var channel = Channel();

        var outcome = await channel.DeliverAsync(Exposed(webhook, "msg_2"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Dead("HTTP 400"), outcome);
        var line = await _receiver.NextAsync();
        Assert.False(line.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Deliver_AfterA503_IsRetried_AndTheRetryCarriesTheSameWebhookId()
    {
        var webhook = AddWebhook(_receiver.Url("/flaky"));
        using var channel = Channel();
        var item = Exposed(webhook, "msg_3", "x");

        Assert.Equal(DeliveryOutcome.Retry("HTTP 503"), await channel.DeliverAsync(item, CancellationToken.None));
        await Task.Delay(1_100); // a later webhook-timestamp, so the second signature differs from the first
        Assert.Equal(DeliveryOutcome.Delivered, await channel.DeliverAsync(item, CancellationToken.None));

        var first = await _receiver.NextAsync();
        var second = await _receiver.NextAsync();
        Assert.True(first.GetProperty("verified").GetBoolean());
        Assert.True(second.GetProperty("verified").GetBoolean());
        Assert.Equal("msg_3", first.GetProperty("id").GetString());
        Assert.Equal("msg_3", second.GetProperty("id").GetString());
        Assert.NotEqual(first.GetProperty("signature").GetString(), second.GetProperty("signature").GetString());
        Assert.Equal(first.GetProperty("body").ToString(), second.GetProperty("body").ToString());
    }

    [Fact]
    public async Task Deliver_AnsweredWith410_DisablesTheWebhook_AndSendsItNothingMore()
    {
        var webhook = AddWebhook(_receiver.Url("/gone"));
        var other = AddWebhook(_receiver.Url("/ok"));
        using var channel = Channel();

        var outcome = await channel.DeliverAsync(Exposed(webhook, "msg_4"), CancellationToken.None);

        Assert.Equal(DeliveryResult.Gone, outcome.Result);
        Assert.True((await _receiver.NextAsync()).GetProperty("verified").GetBoolean());
        var disabled = _store.WebhookById(webhook)!;
        Assert.False(disabled.IsActive);
        Assert.Equal("410 Gone", disabled.DisabledReason);
        Assert.True(_store.WebhookById(other)!.IsActive);

        Assert.Equal(DeliveryOutcome.Dead("webhook disabled: 410 Gone"), await channel.DeliverAsync(Exposed(webhook, "msg_5"), CancellationToken.None));
        Assert.False(await _receiver.AnyWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Deliver_ToAReceiverThatHangs_IsCutAtTheTimeout_AndRetried()
    {
        var webhook = AddWebhook(_receiver.Url("/hang"));
        using var channel = Channel(timeoutSeconds: 1);
        var clock = Stopwatch.StartNew();

        var outcome = await channel.DeliverAsync(Exposed(webhook, "msg_6"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Retry("timed out after 1 s"), outcome);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 5);
        Assert.Equal("msg_6", (await _receiver.NextAsync()).GetProperty("id").GetString()); // it did arrive, and hung
    }

    [Fact]
    public void Default_Timeout_IsTenSeconds() => Assert.Equal(TimeSpan.FromSeconds(10), new WebhookDeliveryOptions().Timeout);

    [Theory]
    [InlineData("/ok", "127.0.0.1")]
    [InlineData("/ok", "localhost")]
    public async Task Deliver_ToALoopbackTarget_WithoutAllowPrivate_IsRefusedAtConnect_AndNeverSent(string path, string host)
    {
        var webhook = AddWebhook(_receiver.Url(path).Replace("127.0.0.1", host, StringComparison.Ordinal));
        using var channel = Channel(allowPrivate: false);

        var outcome = await channel.DeliverAsync(Exposed(webhook, "msg_7"), CancellationToken.None);

        Assert.Equal(DeliveryResult.Dead, outcome.Result);
        Assert.StartsWith("refused:", outcome.Error, StringComparison.Ordinal);
        Assert.False(await _receiver.AnyWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Deliver_ForADeletedWebhook_IsDead()
    {
        var webhook = AddWebhook(_receiver.Url("/ok"));
        Assert.True(_store.DeleteWebhook(1, webhook));
        using var channel = Channel();
        Assert.Equal(DeliveryOutcome.Dead("webhook deleted"), await channel.DeliverAsync(Exposed(webhook, "msg_8"), CancellationToken.None));
    }

    [Fact]
    public async Task Deliver_BreachPublished_HasNoIdentifiers()
    {
        var webhook = AddWebhook(_receiver.Url("/ok"));
        using var channel = Channel();
        var item = Exposed(webhook, "msg_9") with { Event = NotifyEvents.BreachPublished, SealedPayload = null };

        Assert.Equal(DeliveryOutcome.Delivered, await channel.DeliverAsync(item, CancellationToken.None));
        var body = (await _receiver.NextAsync()).GetProperty("body");
        Assert.Equal("breach.published", body.GetProperty("type").GetString());
        Assert.False(body.GetProperty("data").TryGetProperty("identifiers", out _));
    }
}
