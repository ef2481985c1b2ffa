using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

/// <summary>One line of <c>domains list --json</c>.</summary>
internal sealed record DomainLine(
    [property: JsonPropertyName("domain")] string Domain,
    [property: JsonPropertyName("keyId")] int KeyId,
    [property: JsonPropertyName("keyName")] string KeyName,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("method")] string? Method,
    [property: JsonPropertyName("added")] DateTimeOffset Added,
    [property: JsonPropertyName("verified")] DateTimeOffset? Verified);
