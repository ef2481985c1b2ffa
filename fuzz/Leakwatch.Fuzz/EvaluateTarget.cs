using Leakwatch.Server;

namespace Leakwatch.Fuzz;

/// <summary>The body of <c>POST /api/private/evaluate</c>, parsed as the endpoint parses it. Any input is answered
/// with null (well-formed) or a one-line 400 message; an exception would be a 500.</summary>
internal static class EvaluateTarget
{
    public static bool NeverThrows(Exception e) => false;

    public static void ParseBody(ReadOnlySpan<byte> input)
    {
        var error = PrivateApi.Parse(input, out _, out _, out _);
        if (error is not null && (error.Length == 0 || error.Contains('\n', StringComparison.Ordinal)))
        {
            throw new OracleException($"a 400 message must be one non-empty line: [{error}]");
        }
    }
}
