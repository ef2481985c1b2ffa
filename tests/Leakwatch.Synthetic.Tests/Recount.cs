using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PhoneNumbers;

namespace Leakwatch.Synthetic.Tests;

/// <summary>An independent recount of a generated dump: simple split-based parsing of the three shapes,
/// libphonenumber itself for phones, a plain email check, DateTime for birthdates.</summary>
internal sealed class Recount
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static readonly HashSet<string> Tlds =
    [
        "com", "net", "org", "info", "biz", "edu", "gov", "io", "co", "me", "tv",
        "us", "uk", "de", "fr", "it", "es", "br", "in", "eg", "ng", "sa", "mx", "tr", "ph", "id", "pk", "bd",
        "ca", "au", "ru", "nl", "be", "ch", "at", "pl", "se", "no", "dk", "fi", "ie", "pt", "gr", "jp", "cn",
    ];

    public long Rows, DuplicateRows, InvalidEmail, InvalidPhone, InvalidBirthdate;
    public HashSet<string> Emails { get; } = new(StringComparer.Ordinal);
    public HashSet<ulong> Phones { get; } = [];
    public List<string[]> Records { get; } = [];

    public static Recount Of(string path) => OfText(ReadText(path));

    public static string ReadText(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress)
            : path.EndsWith(".zst", StringComparison.Ordinal) ? new ZstdSharp.DecompressionStream(file, leaveOpen: false)
            : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static Recount OfText(string text)
    {
        var r = new Recount();
        string[] lines = text.Split('\n');
        Assert.Equal("", lines[^1]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int first = lines[0].StartsWith("phone,uid,", StringComparison.Ordinal) ? 1 : 0;
        for (int i = first; i < lines.Length - 1; i++)
        {
            string line = lines[i];
            r.Rows++;
            if (!seen.Add(line)) r.DuplicateRows++;
            string[] f = first == 1 ? SplitCsv(line) : line.StartsWith('{') ? SplitJson(line) : line.Split(':');
            Assert.Equal(11, f.Length);
            r.Records.Add(f);
            if (f[0].Length > 0)
            {
                if (Phone(f[0]) is ulong p) r.Phones.Add(p);
                else r.InvalidPhone++;
            }
            if (f[9].Length > 0)
            {
                if (Email(f[9]) is string e) r.Emails.Add(e);
                else r.InvalidEmail++;
            }
            if (f[10].Length > 0 && !Birthdate(f[10])) r.InvalidBirthdate++;
        }
        return r;
    }

    public static ulong? Phone(string text)
    {
        string digits = new(text.Where(char.IsAsciiDigit).ToArray());
        try
        {
            PhoneNumber n = Util.Parse("+" + digits, null);
            if (!Util.IsValidNumber(n)) return null;
            return ulong.Parse(n.CountryCode.ToString(CultureInfo.InvariantCulture) + n.NationalNumber.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    public static string? Email(string text)
    {
        string[] parts = text.Split('@');
        if (parts.Length != 2) return null;
        string local = parts[0];
        if (local.Length is 0 or > 64 || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal)) return null;
        if (!local.All(c => char.IsAsciiLetterOrDigit(c) || "._%+-".Contains(c, StringComparison.Ordinal))) return null;
        string domain;
        try
        {
            domain = new IdnMapping().GetAscii(parts[1].ToLowerInvariant());
        }
        catch (ArgumentException)
        {
            return null;
        }
        string[] labels = domain.Split('.');
        if (labels.Length < 2 || labels.Any(l => l.Length == 0) || !Tlds.Contains(labels[^1])) return null;
        return local.ToLowerInvariant() + "@" + domain;
    }

    public static bool Birthdate(string text) =>
        DateTime.TryParseExact(text, ["yyyy-MM-dd", "M/d/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime d)
        && d.Year >= 1900 && d <= DateTime.Today;

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return [.. fields];
    }

    private static readonly string[] Keys = ["phone", "uid", "first_name", "last_name", "gender", "city", "country", "relationship", "employer", "email", "dob"];

    private static string[] SplitJson(string line)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal(11, doc.RootElement.EnumerateObject().Count());
        return Keys.Select(k => doc.RootElement.GetProperty(k).GetString() ?? "").ToArray();
    }

    /// <summary>Longest run of consecutive numbers in a set: (start, length).</summary>
    public static (ulong Start, int Length) LongestRun(IEnumerable<ulong> phones)
    {
        ulong[] sorted = phones.Order().ToArray();
        (ulong Start, int Length) best = (0, 0);
        int i = 0;
        while (i < sorted.Length)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            if (j - i + 1 > best.Length) best = (sorted[i], j - i + 1);
            i = j + 1;
        }
        return best;
    }
}
