using System.Text.Json.Serialization;

namespace Leakwatch.Server;

[JsonSerializable(typeof(HibpBreachName))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(SubscriptionStatus))]
[JsonSerializable(typeof(HealthStatus))]
internal sealed partial class ServerJson : JsonSerializerContext;
