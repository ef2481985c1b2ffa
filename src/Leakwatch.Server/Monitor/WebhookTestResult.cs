namespace Leakwatch.Server.Monitor;

/// <summary>How a webhook answered a test event: <c>delivered</c>, <c>retry</c>, <c>dead</c> or <c>gone</c>, and why.</summary>
public sealed record WebhookTestResult(bool Delivered, string Result, string? Error);
