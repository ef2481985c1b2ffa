using System.Text.Json.Serialization;

namespace Leakwatch.Catalog;

[JsonSerializable(typeof(HibpBreach))]
[JsonSerializable(typeof(List<HibpBreach>))]
public sealed partial class HibpJson : JsonSerializerContext;
