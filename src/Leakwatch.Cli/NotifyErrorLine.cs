using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

/// <summary>A row whose last attempt failed, in <c>notify status</c>: ids and the destination's answer, never an address.</summary>
internal sealed record NotifyErrorLine(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("breachId")] int BreachId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("nextAttempt")] DateTimeOffset? NextAttempt,
    [property: JsonPropertyName("error")] string Error);
