using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

[JsonSerializable(typeof(DomainLine))]
internal sealed partial class DomainsJson : JsonSerializerContext;
