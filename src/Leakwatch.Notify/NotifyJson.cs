using System.Text.Json.Serialization;

namespace Leakwatch.Notify;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MailPayload))]
[JsonSerializable(typeof(MatchPayload))]
[JsonSerializable(typeof(DomainAlertPayload))]
internal sealed partial class NotifyJson : JsonSerializerContext;
