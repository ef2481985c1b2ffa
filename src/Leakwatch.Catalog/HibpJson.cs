using System.Globalization;
using System.Text.Json.Serialization;
using Leakwatch.Core;

namespace Leakwatch.Catalog;

[JsonSerializable(typeof(HibpBreach))]
[JsonSerializable(typeof(List<HibpBreach>))]
public sealed partial class HibpJson : JsonSerializerContext;
