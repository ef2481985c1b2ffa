using System.Text.Json;
using Leakwatch.Core;

namespace Leakwatch.Core.Tests;

/// <summary>
/// tests/vectors/canonical-identifiers.json is shared with the JS client (web/test/canonical.test.js): both
/// canonicalizers must give exactly these answers, or a private lookup would ask for a different identifier
/// than the one ingest indexed.
/// </summary>
public class CanonicalVectorsTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "vectors", "canonical-identifiers.json"))).RootElement;

    public static TheoryData<string, string?> Emails()
    {
        var data = new TheoryData<string, string?>();
        foreach (var v in Vectors.GetProperty("emails").EnumerateArray())
        {
            data.Add(v.GetProperty("input").GetString()!, v.GetProperty("canonical").GetString());
        }

        return data;
    }

    public static TheoryData<string, string?, string?> Phones()
    {
        var data = new TheoryData<string, string?, string?>();
        foreach (var v in Vectors.GetProperty("phones").EnumerateArray())
        {
            data.Add(v.GetProperty("input").GetString()!, v.GetProperty("region").GetString(), v.GetProperty("e164").GetString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Emails))]
    public void EmailNormalizer_SharedVector_MatchesJsClient(string input, string? canonical)
    {
        Assert.Equal(canonical, EmailNormalizer.Normalize(input));
    }

    [Theory]
    [MemberData(nameof(Phones))]
    public void PhoneNormalizer_SharedVector_MatchesJsClient(string input, string? region, string? e164)
    {
        var normalizer = new PhoneNormalizer(region);
        string? got = null;
        if (normalizer.TryNormalize(input, out var digits))
        {
            Span<char> buffer = stackalloc char[21];
            got = new string(buffer[..PhoneNormalizer.FormatE164(digits, buffer)]);
        }

        Assert.Equal(e164, got);
        // The fast path and libphonenumber's own Parse must agree on every shared vector too.
        Assert.Equal(normalizer.TryNormalize(input, out var fast), normalizer.TryNormalizeSlow(input, out var slow));
        Assert.Equal(fast, slow);
    }
}
