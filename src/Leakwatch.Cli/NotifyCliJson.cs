using System.Text.Json.Serialization;

namespace Leakwatch.Cli;

[JsonSerializable(typeof(NotifyStatusLine))]
internal sealed partial class NotifyCliJson : JsonSerializerContext;
