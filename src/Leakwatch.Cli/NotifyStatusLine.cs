using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

/// <summary><c>notify status --json</c>.</summary>
internal sealed record NotifyStatusLine(
    [property: JsonPropertyName("pending")] long Pending,
    [property: JsonPropertyName("delivered")] long Delivered,
    [property: JsonPropertyName("dead")] long Dead,
    [property: JsonPropertyName("cancelled")] long Cancelled,
    [property: JsonPropertyName("oldestPending")] DateTimeOffset? OldestPending,
    [property: JsonPropertyName("channels")] IReadOnlyList<NotifyChannelLine> Channels,
    [property: JsonPropertyName("lastErrors")] IReadOnlyList<NotifyErrorLine> LastErrors);
