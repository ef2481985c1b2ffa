namespace Leakwatch.Catalog;

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class CatalogJson : System.Text.Json.Serialization.JsonSerializerContext;
