using System.Globalization;

namespace Leakwatch.Synthetic.Internal;

/// <summary>The email validity and normalization the generator builds its truth with (and reads recycled dumps with):
/// one '@'; local part 1–64 of [A-Za-z0-9._%+-] with no leading, trailing or doubled dot; domain converted to its
/// A-label form, at least two labels of 1–63 [a-z0-9-] not starting or ending with '-', and a known TLD.
/// Normalized form: local part lowercased, '@', A-label domain lowercased.</summary>
internal static class EmailRules
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    public static readonly HashSet<string> KnownTlds =
    [
        "com", "net", "org", "info", "biz", "edu", "gov", "io", "co", "me", "tv",
        "us", "uk", "de", "fr", "it", "es", "br", "in", "eg", "ng", "sa", "mx", "tr", "ph", "id", "pk", "bd",
        "ca", "au", "ru", "nl", "be", "ch", "at", "pl", "se", "no", "dk", "fi", "ie", "pt", "gr", "jp", "cn",
    ];

    public static string? Normalize(string raw)
    {
        int at = raw.IndexOf('@');
        if (at <= 0 || at != raw.LastIndexOf('@') || at == raw.Length - 1) return null;
        ReadOnlySpan<char> local = raw.AsSpan(0, at);
        if (local.Length > 64 || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal)) return null;
        foreach (char c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-')) return null;
        }
        string domain;
        try
        {
            domain = Idn.GetAscii(raw[(at + 1)..].ToLowerInvariant()).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (domain.Length > 253) return null;
        string[] labels = domain.Split('.');
        if (labels.Length < 2) return null;
        foreach (string label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return null;
            foreach (char c in label)
            {
                if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '-')) return null;
            }
        }
        if (!KnownTlds.Contains(labels[^1])) return null;
        return string.Concat(local.ToString().ToLowerInvariant(), "@", domain);
    }

    /// <summary>FNV-1a 64 of a normalized email: stable across processes, so decisions made with it stay deterministic.</summary>
    public static ulong Hash(string normalized)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in normalized)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        return h;
    }
}
