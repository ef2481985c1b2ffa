using System.Globalization;
using System.Text;

namespace Leakwatch.Tests.Shared;

/// <summary>
/// A generated stealer-log file with its truth: every layout mixed (URL:login:password, URL|login|password,
/// login:password:URL with and without a scheme, android:// apps), schemes, www., ports and paths, passwords holding
/// ':' and '|' and non-ASCII letters, username logins, and bad lines of every reason, shuffled. The expected counts
/// and answers come from what was written, not from the code under test.
/// </summary>
public sealed class UlpTestFile
{
    public Dictionary<string, SortedSet<string>> WebsitesByEmail { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, int> PasswordCounts { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, long> BadLines { get; } = new(StringComparer.Ordinal);
    public List<string> BadLineEmails { get; } = [];
    public HashSet<string> Websites { get; } = new(StringComparer.Ordinal);
    public long GoodLines { get; private set; }
    public long EmailLines { get; private set; }
    public long UsernameLines { get; private set; }
    public long Lines => GoodLines + BadLines.Values.Sum();

    /// <summary>Writes <paramref name="goodLines"/> credentials and a fixed set of bad lines to <paramref name="path"/>.</summary>
    public static UlpTestFile Write(string path, int goodLines, int seed, string tag = "")
    {
        var t = new UlpTestFile();
        var random = new Random(seed);
        var emails = Enumerable.Range(0, Math.Max(10, goodLines / 8)).Select(i => $"victim{i}.{Token(random)}{tag}@mail{i % 7}.example.com").ToArray();
        var sites = Enumerable.Range(0, 40).Select(i => $"site{i}-{Token(random)}{tag}.test").ToArray();
        var apps = Enumerable.Range(0, 5).Select(i => $"com.app{i}{Token(random)}{tag}.android").ToArray();
        var passwords = Enumerable.Range(0, Math.Max(10, goodLines / 4)).Select(i => (i % 5) switch
        {
            0 => $"pw:{i}:{Token(random)}",
            1 => $"pw|{i}|{Token(random)}",
            2 => $"pässwörd-{i}-{Token(random)}",
            _ => $"pw-{i}-{Token(random)}",
        }).ToArray();
        var lines = new List<string>();
        for (var n = 0; n < goodLines; n++)
        {
            var layout = random.Next(5);
            var email = layout == 3 || random.Next(5) != 0;
            var login = email ? emails[random.Next(emails.Length)] : $"user_{random.Next(50)}";
            var written = email && random.Next(4) == 0 ? login.ToUpperInvariant() : login;
            var password = passwords[random.Next(passwords.Length)];
            string domain;
            string line;
            if (layout == 4)
            {
                domain = apps[random.Next(apps.Length)];
                line = $"android://{Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64()))}@{domain}/:{written}:{password}";
            }
            else
            {
                domain = sites[random.Next(sites.Length)];
                var scheme = layout == 2 || random.Next(2) == 0 ? (random.Next(2) == 0 ? "https://" : "http://") : "";
                var host = (random.Next(3) == 0 ? "www." : "") + domain;
                var port = layout < 2 && random.Next(5) == 0 ? ":" + random.Next(1, 65536).ToString(CultureInfo.InvariantCulture) : "";
                var url = scheme + host + port + (random.Next(2) == 0 ? "/login?next=%2F" : "");
                line = layout switch
                {
                    0 => $"{url}:{written}:{password}",
                    1 => $"{url}|{written}|{password}",
                    2 => $"{written}:{password}:{url}",
                    _ => $"{written}|{password}|{url}",
                };
            }

            lines.Add(line);
            t.GoodLines++;
            t.PasswordCounts[password] = t.PasswordCounts.GetValueOrDefault(password) + 1;
            t.Websites.Add(domain);
            if (email)
            {
                t.EmailLines++;
                if (!t.WebsitesByEmail.TryGetValue(login, out var set))
                {
                    t.WebsitesByEmail[login] = set = new SortedSet<string>(StringComparer.Ordinal);
                }

                set.Add(domain);
            }
            else
            {
                t.UsernameLines++;
            }
        }

        t.WriteBadLines(lines, sites);
        lines.AddRange(["", "   ", ""]);
        var shuffled = lines.OrderBy(_ => random.Next()).ToList();
        File.WriteAllText(path, string.Join('\n', shuffled) + "\n", new UTF8Encoding(false));
        return t;
    }

    private void WriteBadLines(List<string> lines, string[] sites)
    {
        var t = this;
        for (var i = 0; i < 7; i++)
        {
            t.Bad(lines, "no-separator", $"a line of noise number {i}");
        }

        for (var i = 0; i < 5; i++)
        {
            t.Bad(lines, "no-login", $"https://{sites[i]}/:: secret{i}");
        }

        for (var i = 0; i < 4; i++)
        {
            t.Bad(lines, "empty-password", $"https://{sites[i]}:{t.BadEmail(i)}:");
        }

        for (var i = 0; i < 3; i++)
        {
            t.Bad(lines, "no-url", $"foo{i}:bar:baz");
        }

        for (var i = 0; i < 3; i++)
        {
            t.Bad(lines, "binary", $"https://{sites[i]}:{t.BadEmail(10 + i)}:pw\u0001{i}");
        }

        t.Bad(lines, "binary", $"https://{sites[0]}:{t.BadEmail(20)}:nul\0byte");
        for (var i = 0; i < 2; i++)
        {
            t.Bad(lines, "too-long", $"https://{sites[i]}:{t.BadEmail(30 + i)}:{new string('x', 5000)}");
        }
    }

    private string BadEmail(int i)
    {
        var e = $"only-in-bad-line-{i}@bad.example.com";
        BadLineEmails.Add(e);
        return e;
    }

    private void Bad(List<string> lines, string reason, string line)
    {
        lines.Add(line);
        BadLines[reason] = BadLines.GetValueOrDefault(reason) + 1;
    }

    private static string Token(Random random) => random.Next(0x10000, 0xFFFFF).ToString("x", CultureInfo.InvariantCulture);
}
