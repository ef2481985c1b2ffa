using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using StandardWebhooks;

namespace Leakwatch.Notify.Delivery;

/// <summary>
/// Delivers webhook rows of the outbox: a JSON body (<c>type</c>, <c>timestamp</c>, <c>data</c>) signed per Standard
/// Webhooks (<c>webhook-id</c> = the row's message id, the same on every attempt; <c>webhook-timestamp</c>;
/// <c>webhook-signature</c> v1, HMAC-SHA256 under the webhook's secret, opened from its sealed column only here).
/// 2xx is delivered; 410 disables the webhook; 408, 429, 5xx, timeouts and connection errors are retried; other
/// answers are dead-lettered. Redirects are not followed, and every connection is checked against private addresses
/// (<see cref="WebhookAddresses"/>) unless private webhooks are allowed.
/// </summary>
public sealed class WebhookDeliveryChannel : IDeliveryChannel, IDisposable
{
    private readonly StateStore _store;
    private readonly NotifySealing _sealing;
    private readonly WebhookDeliveryOptions _options;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<long, string> _destinations = new();

    public WebhookDeliveryChannel(StateStore store, NotifySealing sealing, WebhookDeliveryOptions options)
    {
        _store = store;
        _sealing = sealing;
        _options = options;
        _http = new HttpClient(WebhookAddresses.CreateHandler(options.AllowPrivate, options.Timeout)) { Timeout = options.Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Leakwatch-Webhooks/1");
    }

    public OutboxChannel Channel => OutboxChannel.Webhook;

    /// <summary>The webhook's <c>host:port</c>; a deleted webhook is its own destination.</summary>
    public string Destination(OutboxItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_destinations.TryGetValue(item.TargetId, out var known))
        {
            return known;
        }

        var webhook = _store.WebhookById(item.TargetId);
        if (webhook is null || !Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri))
        {
            return "webhook:" + item.TargetId.ToString(CultureInfo.InvariantCulture);
        }

        return _destinations[item.TargetId] = uri.IdnHost + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<DeliveryOutcome> DeliverAsync(OutboxItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var webhook = _store.WebhookById(item.TargetId);
        if (webhook is null)
        {
            return DeliveryOutcome.Dead("webhook deleted");
        }

        if (!webhook.IsActive)
        {
            return DeliveryOutcome.Dead("webhook disabled: " + webhook.DisabledReason);
        }

        var wanted = item.Event switch
        {
            NotifyEvents.BreachExposed => WebhookEvents.BreachExposed,
            NotifyEvents.BreachPublished => WebhookEvents.BreachPublished,
            NotifyEvents.DomainBreach => WebhookEvents.DomainBreach,
            _ => WebhookEvents.None,
        };
        if (wanted == WebhookEvents.None || !webhook.Events.HasFlag(wanted))
        {
            return DeliveryOutcome.Dead("the webhook does not receive " + item.Event);
        }

        var breach = _store.BreachById(item.BreachId);
        if (breach is null)
        {
            return DeliveryOutcome.Dead("breach " + item.BreachId.ToString(CultureInfo.InvariantCulture) + " is no longer in the catalogue");
        }

        byte[] key;
        IReadOnlyList<string>? identifiers = null;
        DomainAlertPayload? domain = null;
        try
        {
            var secret = Encoding.UTF8.GetString(_sealing.WebhookSecret.Open(webhook.SealedSecret, "webhook secret", NotifySealing.WebhookSecretContext));
            if (!WebhookSecrets.TryDecode(secret, out key, out _))
            {
                return DeliveryOutcome.Dead("the webhook's stored secret is not a Standard Webhooks secret");
            }

            if (wanted == WebhookEvents.BreachExposed && item.SealedPayload is { } sealedPayload)
            {
                identifiers = MatchPayload.Open(_sealing, sealedPayload, item.MessageId).Identifiers;
            }

            if (wanted == WebhookEvents.DomainBreach)
            {
                if (item.SealedPayload is not { } domainPayload)
                {
                    return DeliveryOutcome.Dead("the row has no payload");
                }

                domain = DomainAlertPayload.Open(_sealing, domainPayload, item.MessageId);
            }
        }
        catch (Exception e) when (e is CryptographicException or InvalidDataException or JsonException)
        {
            // A key file that is not the one that sealed it: retrying will not help.
            return DeliveryOutcome.Dead("the webhook's secret or payload cannot be opened with this key file");
        }

        var body = Body(item, breach, wanted == WebhookEvents.BreachExposed ? identifiers ?? [] : null, domain);
        return await SendAsync(webhook, item.MessageId, key, body, ct);
    }

    /// <summary>The event of <see cref="PingAsync"/>: only ever sent on request, never queued.</summary>
    public const string TestEvent = "webhook.test";

    /// <summary>
    /// Sends a <see cref="TestEvent"/> to a webhook now, outside the outbox (<c>POST /api/monitor/webhooks/{id}/test</c>),
    /// signed and checked like every delivery: <c>{"type": "webhook.test", "timestamp": ..., "data": {"webhook": id}}</c>
    /// under a fresh <c>webhook-id</c>. A 410 disables the webhook here too.
    /// </summary>
    public async Task<DeliveryOutcome> PingAsync(Webhook webhook, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        if (!webhook.IsActive)
        {
            return DeliveryOutcome.Dead("webhook disabled: " + webhook.DisabledReason);
        }

        byte[] key;
        try
        {
            var secret = Encoding.UTF8.GetString(_sealing.WebhookSecret.Open(webhook.SealedSecret, "webhook secret", NotifySealing.WebhookSecretContext));
            if (!WebhookSecrets.TryDecode(secret, out key, out _))
            {
                return DeliveryOutcome.Dead("the webhook's stored secret is not a Standard Webhooks secret");
            }
        }
        catch (CryptographicException)
        {
            return DeliveryOutcome.Dead("the webhook's secret cannot be opened with this key file");
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", TestEvent);
            w.WriteString("timestamp", _options.Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            w.WriteStartObject("data");
            w.WriteNumber("webhook", webhook.Id);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        var messageId = "msg_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return await SendAsync(webhook, messageId, key, Encoding.UTF8.GetString(buffer.WrittenSpan), ct);
    }

    private async Task<DeliveryOutcome> SendAsync(Webhook webhook, string messageId, byte[] key, string body, CancellationToken ct)
    {
        var timestamp = _options.Time.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(key).Sign(messageId, timestamp, body));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            // Off the socket thread before a 410's blocking store write (serve runs with inline socket completions).
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            return Outcome(webhook, response.StatusCode);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return DeliveryOutcome.Retry("timed out after " + _options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s");
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookRefusedException refused)
        {
            return DeliveryOutcome.Dead(refused.Message);
        }
        catch (HttpRequestException e)
        {
            return DeliveryOutcome.Retry("connection failed: " + (e.HttpRequestError == HttpRequestError.Unknown ? "error" : e.HttpRequestError.ToString()));
        }
    }

    private DeliveryOutcome Outcome(Webhook webhook, HttpStatusCode status)
    {
        var code = (int)status;
        var text = "HTTP " + code.ToString(CultureInfo.InvariantCulture);
        switch (code)
        {
            case >= 200 and < 300:
                return DeliveryOutcome.Delivered;
            case 410:
                _store.DisableWebhook(webhook.Id, "410 Gone", _options.Time.GetUtcNow());
                _destinations.TryRemove(webhook.Id, out _);
                return DeliveryOutcome.Gone(text + ": the webhook is disabled");
            case 408 or 429 or >= 500:
                return DeliveryOutcome.Retry(text);
            case >= 300 and < 400:
                return DeliveryOutcome.Dead(text + ": redirects are not followed");
            default:
                return DeliveryOutcome.Dead(text);
        }
    }

    /// <summary>The JSON body; the same for every attempt of a row (its <c>timestamp</c> is the row's creation).</summary>
    internal string Body(OutboxItem item, Breach breach, IReadOnlyList<string>? identifiers, DomainAlertPayload? domain = null)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", item.Event);
            w.WriteString("timestamp", item.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            w.WriteStartObject("data");
            w.WriteStartObject("breach");
            w.WriteString("Name", breach.Name);
            w.WriteString("Title", breach.Title);
            w.WriteString("Domain", breach.Domain);
            w.WriteString("BreachDate", breach.BreachDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("AddedDate", breach.AddedDate.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteNumber("PwnCount", breach.PwnCount);
            w.WriteString("Description", breach.Description);
            w.WriteStartArray("DataClasses");
            foreach (var dataClass in breach.DataClasses)
            {
                w.WriteStringValue(dataClass);
            }

            w.WriteEndArray();
            w.WriteBoolean("IsVerified", breach.IsVerified);
            w.WriteBoolean("IsFabricated", breach.IsFabricated);
            w.WriteBoolean("IsSensitive", breach.IsSensitive);
            w.WriteBoolean("IsSpamList", breach.IsSpamList);
            w.WriteBoolean("IsMalware", breach.IsMalware);
            w.WriteBoolean("IsStealerLog", breach.IsStealerLog);
            if (_options.PublicUrl is { } publicUrl)
            {
                w.WriteString("ReportUrl", publicUrl.TrimEnd('/') + "/breaches/" + Uri.EscapeDataString(breach.Name) + "/report");
            }

            w.WriteEndObject();
            w.WriteStartArray("advice");
            foreach (var rule in ExposureAdvice.For(breach.DataClasses))
            {
                w.WriteStartObject();
                w.WriteString("id", rule.Id);
                w.WriteString("title", rule.Title);
                w.WriteStartArray("steps");
                foreach (var step in rule.Steps)
                {
                    w.WriteStringValue(step);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (identifiers is not null)
            {
                w.WriteStartArray("identifiers");
                foreach (var identifier in identifiers)
                {
                    w.WriteStringValue(identifier);
                }

                w.WriteEndArray();
            }

            if (domain is not null)
            {
                WriteDomain(w, domain);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary><c>domain.breach</c>: the domain and its count, never an alias (those come from breacheddomain).</summary>
    private void WriteDomain(Utf8JsonWriter w, DomainAlertPayload domain)
    {
        w.WriteStartObject("domain");
        w.WriteString("Name", domain.Domain);
        w.WriteNumber("Count", domain.Count);
        if (_options.PublicUrl is { } url)
        {
            w.WriteString("AliasesUrl", url.TrimEnd('/') + "/api/v3/breacheddomain/" + Uri.EscapeDataString(domain.Domain));
        }

        w.WriteEndObject();
    }

    public void Dispose() => _http.Dispose();
}
