using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

/// <summary>One channel's outbox rows by state, in <c>notify status</c>.</summary>
internal sealed record NotifyChannelLine(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("pending")] long Pending,
    [property: JsonPropertyName("delivered")] long Delivered,
    [property: JsonPropertyName("dead")] long Dead,
    [property: JsonPropertyName("cancelled")] long Cancelled);
