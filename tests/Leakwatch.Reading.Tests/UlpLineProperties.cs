using System.Text;
using FsCheck.Xunit;
using Leakwatch.Reading.Ulp;

namespace Leakwatch.Reading.Tests;

/// <summary>Properties of the stealer-log line parser: a line written from a generated URL, login and password in
/// any layout reads back as those three (and the URL's domain), and no byte string makes it throw.</summary>
public sealed class UlpLineProperties
{
    private static readonly string[] Tlds = ["com", "net", "org", "co.uk", "io", "example"];
    private static readonly string[] Schemes = ["http", "https", "ftp"];

    [Property(MaxTest = 1000)]
    public bool RoundTrip_GeneratedLineInAnyLayout_ReadsBackItsParts(int seed, string? passwordText, byte layoutPick, bool pipes)
    {
        var random = new Random(seed);
        var sep = pipes ? '|' : ':';
        var layout = layoutPick % 4;
        var host = Host(random);
        var withWww = random.Next(4) == 0;
        var scheme = layout == 1 || layout == 2 || random.Next(2) == 0;
        var android = layout != 3 && scheme && random.Next(5) == 0;
        string url;
        string domain;
        if (android)
        {
            var package = $"com.{Word(random)}.{Word(random)}";
            url = $"android://{Base64(random)}@{package}/";
            domain = package;
        }
        else
        {
            // A port only where the URL is not the line's last field without a scheme; a path never holds a separator.
            var port = layout != 3 && random.Next(4) == 0 ? $":{random.Next(1, 65536)}" : "";
            var path = random.Next(2) == 0 ? "" : $"/{Word(random)}/{Word(random)}?q={random.Next(100)}#x";
            url = (scheme ? Schemes[random.Next(Schemes.Length)] + "://" : "") + (withWww ? "WWW." : "") + host.ToUpperInvariant() + port + path;
            domain = host;
        }

        var login = layout == 3 || random.Next(2) == 0 ? $"{Word(random)}.{random.Next(1000)}@{Host(random)}" : Word(random) + random.Next(100);
        var password = Password(passwordText, random);
        string line;
        UlpLayout expected;
        if (layout is 0 or 1)
        {
            line = $"{url}{sep}{login}{sep}{password}";
            expected = UlpLayout.UrlFirst;
        }
        else
        {
            line = $"{login}{sep}{password}{sep}{url}";
            expected = UlpLayout.LoginFirst;
        }

        var bytes = Encoding.UTF8.GetBytes(line);
        if (UlpLineParser.TryParse(bytes, out var parsed) != UlpProblem.None)
        {
            return false;
        }

        return parsed.Layout == expected
            && Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Login]) == login
            && Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Password]) == password
            && Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Url]) == url
            && UlpLineParserTests.Domain(bytes, parsed) == domain;
    }

    /// <summary>A URL whose path holds ':' (a nested URL in its query, a time, a port of the nested URL) before an email
    /// login still reads back whole, with the login and the password after it.</summary>
    [Property(MaxTest = 500)]
    public bool RoundTrip_UrlWithColonsInItsPath_EmailLoginReadsBack(int seed, string? passwordText)
    {
        var random = new Random(seed);
        var host = Host(random);
        var query = random.Next(3) switch
        {
            0 => $"?continue=https://{Host(random)}/{Word(random)}",
            1 => $"?at={random.Next(24)}:{random.Next(60)}&x={Word(random)}",
            _ => $"?r=http://{Host(random)}:{random.Next(1, 65536)}/{Word(random)}:{Word(random)}",
        };
        var url = $"https://{host}/{Word(random)}{query}";
        var login = $"{Word(random)}.{random.Next(1000)}@{Host(random)}";
        var password = Password(passwordText, random);
        var bytes = Encoding.UTF8.GetBytes($"{url}:{login}:{password}");
        return UlpLineParser.TryParse(bytes, out var parsed) == UlpProblem.None
            && Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Url]) == url
            && Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Login]) == login
            && Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Password]) == password
            && UlpLineParserTests.Domain(bytes, parsed) == host;
    }

    [Property(MaxTest = 2000)]
    public bool TryParse_ArbitraryBytes_NeverThrowsAndPartsAreInTheLine(byte[]? data, byte[]? prefix)
    {
        // Half the cases start like a real line, so the deeper paths see garbage too.
        var line = (prefix is { Length: > 0 } && prefix[0] % 2 == 0 ? Encoding.UTF8.GetBytes("https://a.b:") : []).Concat(data ?? []).ToArray();
        var problem = UlpLineParser.TryParse(line, out var parsed);
        if (problem != UlpProblem.None)
        {
            return true;
        }

        var buffer = new byte[UlpLineParser.MaxLineBytes];
        var n = UlpLineParser.WriteDomain(line, parsed, buffer);
        return !line.AsSpan()[parsed.Login].IsEmpty && !line.AsSpan()[parsed.Password].IsEmpty && n is > 0 and <= UlpLineParser.MaxDomainBytes
            && n <= line.AsSpan()[parsed.Url].Length;
    }

    /// <summary>Any text without control characters, U+FFFD or "://" (a password holding a scheme is read as the
    /// URL of a login-first line: a documented ambiguity); never empty; ':' and '|' are welcome.</summary>
    private static string Password(string? text, Random random)
    {
        var sb = new StringBuilder();
        foreach (var c in text ?? "")
        {
            if (!char.IsControl(c) && !char.IsSurrogate(c) && c != '\uFFFD')
            {
                sb.Append(c);
            }
        }

        sb.Append(random.Next(3) switch { 0 => ":x|y", 1 => "|", _ => "" });
        while (sb.ToString().Contains("://", StringComparison.Ordinal))
        {
            sb.Replace("://", ":/");
        }

        return sb.Length == 0 ? "p" : sb.ToString();
    }

    private static string Host(Random random) =>
        $"{Word(random)}{(random.Next(3) == 0 ? "-" + Word(random) : "")}.{Tlds[random.Next(Tlds.Length)]}";

    private static string Word(Random random)
    {
        var chars = new char[random.Next(1, 9)];
        chars[0] = (char)('a' + random.Next(26));
        for (var i = 1; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)('0' + random.Next(10)) : (char)('a' + random.Next(26));
        }

        return new string(chars);
    }

    private static string Base64(Random random)
    {
        var bytes = new byte[random.Next(8, 40)];
        random.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }
}
