using System.Globalization;
using System.Net;

namespace Leakwatch.Core;

/// <summary>
/// Canonical form of a domain an organisation claims: trimmed, one trailing dot dropped, lowercase, IDN labels as
/// punycode A-labels (<see cref="IdnMapping"/>, STD3 rules). The rules are those of an email address's domain
/// (<see cref="EmailNormalizer"/>): LDH labels of 1-63 characters, at least two labels, a TLD IANA has delegated, so
/// every domain that can be claimed is one whose addresses the index can hold. IP addresses are refused by name.
/// </summary>
public static class DomainNameNormalizer
{
    private const int MaxLength = 253;
    private const int MaxLabelLength = 63;

    // IdnMapping holds only its option flags and GetAscii does not mutate them: one shared instance is thread-safe.
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>The canonical domain, or false with <paramref name="error"/>: one line saying what is wrong with it
    /// (the caller names the field).</summary>
    public static bool TryNormalize(string? input, out string domain, out string error)
    {
        domain = "";
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "required";
            return false;
        }

        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        if (IPAddress.TryParse(text.Trim('[', ']'), out _))
        {
            error = "an IP address is not a domain name";
            return false;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(text.ToLowerInvariant()).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = "not a valid domain name (letters, digits and hyphens in dot-separated labels)";
            return false;
        }

        if (!ascii.Contains('.', StringComparison.Ordinal))
        {
            error = "a single label is not a domain name (e.g. example.com)";
            return false;
        }

        if (ascii.Length > MaxLength || !HasValidLabels(ascii, out var tld))
        {
            error = "not a valid domain name (letters, digits and hyphens in dot-separated labels)";
            return false;
        }

        if (!TopLevelDomains.Contains(tld))
        {
            error = $"'{tld}' is not a top-level domain IANA has delegated";
            return false;
        }

        domain = ascii;
        error = "";
        return true;
    }

    /// <summary>The canonical domain, or null.</summary>
    public static string? Normalize(string? input) => TryNormalize(input, out var domain, out _) ? domain : null;

    private static bool HasValidLabels(string domain, out ReadOnlySpan<char> tld)
    {
        tld = default;
        var start = 0;
        for (var i = 0; i <= domain.Length; i++)
        {
            if (i < domain.Length && domain[i] != '.')
            {
                if (domain[i] is not (>= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
                {
                    return false;
                }

                continue;
            }

            var length = i - start;
            if (length is 0 or > MaxLabelLength || domain[start] == '-' || domain[i - 1] == '-')
            {
                return false;
            }

            tld = domain.AsSpan(start, length);
            start = i + 1;
        }

        return true;
    }
}
