using System.Text.Json.Serialization;

namespace Leakwatch.Notify;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MailPayload))]
[JsonSerializable(typeof(MatchPayload))]
internal sealed partial class NotifyJson : JsonSerializerContext;
