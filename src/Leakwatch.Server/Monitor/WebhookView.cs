namespace Leakwatch.Server.Monitor;

/// <summary>A webhook as listed: never its secret. <see cref="Disabled"/> is set once a receiver answered 410.</summary>
public sealed record WebhookView(long Id, string Url, List<string> Events, DateTimeOffset Created, DateTimeOffset? Disabled, string? DisabledReason);
