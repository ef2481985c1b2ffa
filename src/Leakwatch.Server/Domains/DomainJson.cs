using System.Text.Json.Serialization;

namespace Leakwatch.Server.Domains;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DomainError))]
[JsonSerializable(typeof(DomainRequest))]
[JsonSerializable(typeof(DomainVerifyRequest))]
[JsonSerializable(typeof(DomainView))]
[JsonSerializable(typeof(List<DomainView>))]
[JsonSerializable(typeof(DomainAdded))]
[JsonSerializable(typeof(DomainMailQueued))]
[JsonSerializable(typeof(List<SubscribedDomain>))]
internal sealed partial class DomainJson : JsonSerializerContext;
