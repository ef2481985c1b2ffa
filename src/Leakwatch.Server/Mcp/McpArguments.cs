using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Leakwatch.Server.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's input schema before the tool runs: a missing required argument or
/// one of the wrong JSON type is a tool error naming the field. Without it the SDK answers "An error occurred invoking
/// the tool", which tells an agent nothing to fix. Values are never echoed (an account is one).
/// </summary>
internal static class McpArguments
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Checked(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (request, cancellationToken) => Check(request) is { } error ? new ValueTask<CallToolResult>(error) : next(request, cancellationToken);

    private static CallToolResult? Check(RequestContext<CallToolRequestParams> request)
    {
        if (request.MatchedPrimitive is not McpServerTool tool)
        {
            return null;
        }

        var schema = tool.ProtocolTool.InputSchema;
        var args = request.Params?.Arguments;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in required.EnumerateArray())
            {
                var name = r.GetString() ?? "";
                if (args is null || !args.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    return Error(name + ": required.");
                }
            }
        }

        if (args is null || !schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var (name, value) in args)
        {
            if (!properties.TryGetProperty(name, out var property) || value.ValueKind == JsonValueKind.Null)
            {
                // Unknown arguments are ignored by the binding; null is the absent value of an optional one.
                continue;
            }

            switch (TypeOf(property))
            {
                case "boolean" when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                    return Error(name + ": must be true or false.");
                case "string" when value.ValueKind != JsonValueKind.String:
                    return Error(name + ": must be a string.");
            }
        }

        return null;
    }

    /// <summary>The schema's type: <c>"string"</c>, or the first non-null type of <c>["string","null"]</c>.</summary>
    private static string? TypeOf(JsonElement property)
    {
        if (!property.TryGetProperty("type", out var type))
        {
            return null;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString();
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in type.EnumerateArray())
            {
                if (t.ValueKind == JsonValueKind.String && t.GetString() is { } s && s != "null")
                {
                    return s;
                }
            }
        }

        return null;
    }

    private static CallToolResult Error(string text) => new() { Content = [new TextContentBlock { Text = text }], IsError = true };
}
