using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Passwords;
using Leakwatch.Privacy;
using Leakwatch.Tests.Shared;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Stealer logs end to end: a generated ULP file (every layout, bad lines of every reason, gzip-compressed) ingested
/// by the real CLI with exact counts; then a live server answers its passwords on /range/ (SHA-1 and NTLM counts) and
/// its emails on /api/v3/stealerlogsbyemail with exactly the websites written; a second stealer-log ingest merges
/// into the website store; opted-out, username, absent and bad-line logins answer as HIBP would.
/// </summary>
public sealed class StealerLogTests
{
    [Fact]
    public async Task UlpIngest_MixedLayoutsAndBadLines_ExactCountsAndLiveAnswers()
    {
        using var dir = new TempDir();
        var plain = dir.File("first.txt");
        var truth = UlpTestFile.Write(plain, 3000, seed: 5);
        var gz = dir.File("first.txt.gz");
        using (var output = File.Create(gz))
        using (var zip = new GZipStream(output, CompressionLevel.Fastest))
        using (var input = File.OpenRead(plain))
        {
            input.CopyTo(zip);
        }

        // Parsed on every worker (the 2-core default is one reader thread): the counts must be exact either way.
        AssertCounts(truth, Ingest(dir, gz, "StealerOne", "--parse", "parallel"));

        // A second stealer log: one known victim on a new website, and one new victim.
        var known = truth.WebsitesByEmail.Keys.Order(StringComparer.Ordinal).First();
        var second = dir.File("second.txt");
        File.WriteAllText(second, $"https://www.Second-Site.test/login:{known.ToUpperInvariant()}:second-pw\nnew-victim@mail.example.com|second-pw|android://h@com.second.app/\n");
        Ingest(dir, second, "StealerTwo");
        truth.WebsitesByEmail[known].Add("second-site.test");
        truth.WebsitesByEmail["new-victim@mail.example.com"] = new SortedSet<string>(StringComparer.Ordinal) { "com.second.app" };
        truth.PasswordCounts["second-pw"] = truth.PasswordCounts.GetValueOrDefault("second-pw") + 2;

        var hidden = truth.WebsitesByEmail.Keys.Order(StringComparer.Ordinal).Skip(1).First();
        await AssertLiveAnswers(dir, truth, known, hidden);
    }

    private static void AssertCounts(UlpTestFile truth, JsonElement stats)
    {
        var ulp = stats.GetProperty("ulp");
        Assert.Equal(truth.Lines, ulp.GetProperty("lines").GetInt64());
        Assert.Equal(truth.EmailLines, ulp.GetProperty("emailsIndexed").GetInt64());
        Assert.Equal(truth.UsernameLines, ulp.GetProperty("usernamesSkipped").GetInt64());
        Assert.Equal(truth.GoodLines, ulp.GetProperty("passwords").GetInt64());
        Assert.Equal(truth.WebsitesByEmail.Count, ulp.GetProperty("websiteEntries").GetInt64());
        Assert.Equal(truth.Websites.Count, ulp.GetProperty("websiteDomains").GetInt64());
        Assert.Equal(truth.BadLines, JsonSerializer.Deserialize<SortedDictionary<string, long>>(ulp.GetProperty("badLines").GetRawText()));
        Assert.Equal(truth.WebsitesByEmail.Count, stats.GetProperty("distinct").GetProperty("email").GetInt64());
        Assert.Equal(["Email addresses", "Passwords"], stats.GetProperty("dataClasses").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(truth.BadLines.Values.Sum(), stats.GetProperty("problems").GetProperty("count").GetInt64());
        foreach (var problem in stats.GetProperty("problems").GetProperty("first").EnumerateArray())
        {
            // A bad line is named by its number and reason, never by its text (which holds a password).
            Assert.Matches(@"^.+:\d+: stealer-log line skipped: [a-z-]+$|^.+:\d+: NUL byte in row$", problem.GetString()!);
        }
    }

    private static async Task AssertLiveAnswers(TempDir dir, UlpTestFile truth, string known, string hidden)
    {
        string apiKey;
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            apiKey = state.CreateKey("stealer", 1_000_000, DateTimeOffset.UtcNow).Secret;
            var key = new byte[IndexKeys.KeyBytes];
            IndexKeys.WriteBigEndian(new IdentifierHasher(KeyFile.Load(dir.KeyFile)).HashEmail(hidden), key);
            state.AddOptOut(key, DateTimeOffset.UtcNow);
        }

        await using var server = await RunningServer.StartAsync(new ServerOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            ConsoleLogging = false,
            MetricsUrls = "http://127.0.0.1:0",
        });
        using var keyed = server.Client(apiKey);
        using var anonymous = server.Client();

        foreach (var (email, sites) in truth.WebsitesByEmail.Where(e => e.Key != hidden).OrderBy(e => e.Key, StringComparer.Ordinal).Take(40))
        {
            using var r = await keyed.GetAsync("/api/v3/stealerlogsbyemail/" + Uri.EscapeDataString(email.ToUpperInvariant()));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(sites, JsonSerializer.Deserialize<string[]>(await r.Content.ReadAsStringAsync()));
        }

        Assert.Equal(HttpStatusCode.NotFound, (await keyed.GetAsync("/api/v3/stealerlogsbyemail/" + Uri.EscapeDataString(hidden))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await keyed.GetAsync("/api/v3/stealerlogsbyemail/nobody-at-all@example.com")).StatusCode);
        foreach (var bad in truth.BadLineEmails)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await keyed.GetAsync("/api/v3/stealerlogsbyemail/" + Uri.EscapeDataString(bad))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await keyed.GetAsync("/api/v3/stealerlogsbyemail/user_1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v3/stealerlogsbyemail/" + Uri.EscapeDataString(known))).StatusCode);

        using (var breach = await anonymous.GetAsync("/api/v3/breach/StealerOne"))
        {
            var b = JsonDocument.Parse(await breach.Content.ReadAsStringAsync()).RootElement;
            Assert.True(b.GetProperty("IsStealerLog").GetBoolean());
            Assert.Equal(["Email addresses", "Passwords"], b.GetProperty("DataClasses").EnumerateArray().Select(e => e.GetString()!));
        }

        foreach (var (password, count) in truth.PasswordCounts.OrderBy(p => p.Key, StringComparer.Ordinal).Take(30))
        {
            var sha1 = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(password)));
            Assert.Equal(count, await RangeCount(anonymous, "/range/" + sha1[..5], sha1[5..]));
            var ntlm = Convert.ToHexString(Md4.HashData(Encoding.Unicode.GetBytes(password)));
            Assert.Equal(count, await RangeCount(anonymous, "/range/" + ntlm[..5] + "?mode=ntlm", ntlm[5..]));
        }
    }

    private static JsonElement Ingest(TempDir dir, string path, string breach, params string[] extra)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", path, "--breach", breach, "--format", "ulp", "--json", .. extra]);
        Assert.True(r.ExitCode == 0, $"ingest failed ({r.ExitCode}): {r.Stderr}");
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }

    private static async Task<int> RangeCount(HttpClient client, string path, string suffix)
    {
        var body = await client.GetStringAsync(path);
        foreach (var line in body.Split("\r\n"))
        {
            if (line.StartsWith(suffix + ":", StringComparison.Ordinal))
            {
                return int.Parse(line[(suffix.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
