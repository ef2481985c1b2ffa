namespace Leakwatch.Server.Monitor;

/// <summary>A webhook to register: its URL (http or https, a public host), a Standard Webhooks secret
/// (<c>whsec_…</c>; generated when left out), and its events (default both: <c>breach.exposed</c>,
/// <c>breach.published</c>).</summary>
public sealed record WebhookRequest
{
    public string? Url { get; init; }

    public string? Secret { get; init; }

    public List<string>? Events { get; init; }
}
