using System.Text.Json.Serialization;

namespace Leakwatch.Server.Monitor;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(MonitorError))]
[JsonSerializable(typeof(MonitorUploadResult))]
[JsonSerializable(typeof(MonitorRemoveResult))]
[JsonSerializable(typeof(MonitorListing))]
[JsonSerializable(typeof(WebhookRequest))]
[JsonSerializable(typeof(WebhookCreated))]
[JsonSerializable(typeof(List<WebhookView>))]
[JsonSerializable(typeof(WebhookTestResult))]
internal sealed partial class MonitorJson : JsonSerializerContext;
