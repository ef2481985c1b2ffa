namespace Leakwatch.Catalog.State;

/// <summary>One notification to deliver: to one subscription (mail) or one webhook, about one breach. <see cref="Dedupe"/>
/// makes it exactly one row per (target, breach, event) however often matching runs; <see cref="MessageId"/> is the
/// <c>Message-ID</c> or <c>webhook-id</c> every attempt carries, so a duplicate delivery is recognisable.</summary>
public sealed record OutboxItem
{
    public long Id { get; init; }
    public required string Dedupe { get; init; }
    public required OutboxChannel Channel { get; init; }
    public required long TargetId { get; init; }
    public required int BreachId { get; init; }
    public required string Event { get; init; }
    public required string MessageId { get; init; }
    public byte[]? SealedPayload { get; init; }
    public OutboxState State { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttempt { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset Created { get; init; }
}
