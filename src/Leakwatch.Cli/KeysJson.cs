using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

[JsonSerializable(typeof(CreatedKeyLine))]
[JsonSerializable(typeof(KeyLine))]
internal sealed partial class KeysJson : JsonSerializerContext;
