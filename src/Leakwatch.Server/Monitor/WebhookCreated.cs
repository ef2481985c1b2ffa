namespace Leakwatch.Server.Monitor;

/// <summary>A registered webhook and its signing secret: the only answer that ever shows the secret (it is stored sealed).</summary>
public sealed record WebhookCreated(long Id, string Url, List<string> Events, string Secret, DateTimeOffset Created);
