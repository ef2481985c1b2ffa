using System.Net;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Index;
using Leakwatch.Index.Stealer;
using Leakwatch.Privacy;
using Leakwatch.Tests.Shared;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Stealer logs by email domain and by website domain (issue 16), end to end: a generated ULP file and a hand-written
/// one ingested by the real CLI (the second merging into the first's stores), the first's website store rewritten
/// as version-1 blobs in between (as the first stealer-log stores were sealed), then a live server answers
/// <c>stealerlogsbyemaildomain</c> and <c>stealerlogsbywebsitedomain</c> exactly for the key's verified domains,
/// 403 for others, 404 when nothing is recorded, opted-out addresses left out.
/// </summary>
public sealed class StealerDomainTests
{
    private const string Domain = "mail3.example.com";
    private const string Website = "portal.example.net";

    [Fact]
    public async Task DomainEndpoints_AfterTwoIngests_AnswerExactlyForVerifiedDomainsOnly()
    {
        using var dir = new TempDir();
        var first = dir.File("first.txt");
        var truth = UlpTestFile.Write(first, 3000, seed: 11);
        Ingest(dir, first, "StealerOne", "--parse", "parallel");
        var v1Entries = RewriteSitesAsVersion1(dir);
        Assert.True(v1Entries > 100);

        var known = truth.WebsitesByEmail.Keys.Where(e => e.EndsWith("@" + Domain, StringComparison.Ordinal)).Order(StringComparer.Ordinal).First();
        var untouched = truth.WebsitesByEmail.Keys.Where(e => e != known).Order(StringComparer.Ordinal).First();
        var second = dir.File("second.txt");
        File.WriteAllText(second, string.Join('\n',
            $"https://www.Portal.Example.net/login:{known.ToUpperInvariant()}:pw-a",
            $"{Website}|fresh.one@{Domain}|pw-b",
            $"fresh.one@{Domain}:pw-c:https://other.example.org/",
            $"hidden.person@{Domain}|pw-d|https://{Website}/x",
            $"someone@elsewhere.example.com:pw-e:http://{Website}",
            "user_only:pw-f:https://portal.example.net/") + "\n");
        Ingest(dir, second, "StealerTwo");

        // The truth, from what was written.
        var byAlias = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (email, sites) in truth.WebsitesByEmail.Where(e => e.Key.EndsWith("@" + Domain, StringComparison.Ordinal)))
        {
            byAlias[email[..email.IndexOf('@', StringComparison.Ordinal)]] = new SortedSet<string>(sites, StringComparer.Ordinal);
        }

        byAlias[known[..known.IndexOf('@', StringComparison.Ordinal)]].Add(Website);
        byAlias["fresh.one"] = new SortedSet<string>(StringComparer.Ordinal) { Website, "other.example.org" };
        string[] websiteEmails = [.. new[] { known, "fresh.one@" + Domain, "someone@elsewhere.example.com" }.Order(StringComparer.Ordinal)];

        var (secret, otherSecret) = CreateKeys(dir);
        await using var server = await RunningServer.StartAsync(new ServerOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            ConsoleLogging = false,
            MetricsUrls = "http://127.0.0.1:0",
        });
        using var org = server.Client(secret);
        using var other = server.Client(otherSecret);
        using var anonymous = server.Client();

        using (var r = await org.GetAsync("/api/v3/stealerlogsbyemaildomain/" + Domain.ToUpperInvariant()))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var answer = JsonSerializer.Deserialize<Dictionary<string, string[]>>(await r.Content.ReadAsStringAsync())!;
            Assert.Equal(byAlias.Keys.Order(StringComparer.Ordinal), answer.Keys.Order(StringComparer.Ordinal));
            foreach (var (alias, sites) in byAlias)
            {
                Assert.Equal(sites, answer[alias]);
            }
        }

        foreach (var spelling in new[] { Website, "www." + Website, "Portal.Example.NET" })
        {
            using var r = await org.GetAsync("/api/v3/stealerlogsbywebsitedomain/" + spelling);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(websiteEmails, JsonSerializer.Deserialize<string[]>(await r.Content.ReadAsStringAsync()));
        }

        // Unverified (pending, or another key's), nothing recorded, not a domain, no key.
        Assert.Equal(HttpStatusCode.Forbidden, (await org.GetAsync("/api/v3/stealerlogsbyemaildomain/mail4.example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await org.GetAsync("/api/v3/stealerlogsbywebsitedomain/other.example.org")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/api/v3/stealerlogsbyemaildomain/" + Domain)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/api/v3/stealerlogsbywebsitedomain/" + Website)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await org.GetAsync("/api/v3/stealerlogsbyemaildomain/empty.example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await org.GetAsync("/api/v3/stealerlogsbywebsitedomain/nothing-here.example.org")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await org.GetAsync("/api/v3/stealerlogsbywebsitedomain/" + Domain)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await org.GetAsync("/api/v3/stealerlogsbyemaildomain/not_a_domain")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v3/stealerlogsbyemaildomain/" + Domain)).StatusCode);

        await AssertWebsiteStore(org, truth, untouched, known);
    }

    /// <summary>
    /// A stealer log removed with <c>leakwatch remove</c>: the stores are not rewritten, but the three endpoints answer
    /// only addresses still in a published stealer-log breach, so its addresses are gone from all of them, and those
    /// also in a kept log still answer.
    /// </summary>
    [Fact]
    public async Task RemovedStealerLog_ItsAddressesLeaveAllThreeEndpoints()
    {
        using var dir = new TempDir();
        var kept = dir.File("kept.txt");
        File.WriteAllText(kept, $"https://kept.example.org/login:stay@{Domain}:pw-1\n");
        Ingest(dir, kept, "KeptLog");
        var gone = dir.File("gone.txt");
        File.WriteAllText(gone, $"https://{Website}/login:leave@{Domain}:pw-2\n{Website}|stay@{Domain}|pw-3\n");
        Ingest(dir, gone, "GoneLog");
        var (secret, _) = CreateKeys(dir);

        async Task<(HttpStatusCode, string)> Get(HttpClient c, string path)
        {
            using var r = await c.GetAsync(path);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var options = new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false, MetricsUrls = "http://127.0.0.1:0" };
        await using (var before = await RunningServer.StartAsync(options))
        {
            using var org = before.Client(secret);
            Assert.Equal((HttpStatusCode.OK, $"[\"{Website}\"]"), await Get(org, $"/api/v3/stealerlogsbyemail/leave@{Domain}"));
            Assert.Equal((HttpStatusCode.OK, $"[\"leave@{Domain}\",\"stay@{Domain}\"]"), await Get(org, $"/api/v3/stealerlogsbywebsitedomain/{Website}"));
        }

        var removed = LeakwatchProcess.Run([.. dir.Dirs, "remove", "GoneLog"]);
        Assert.True(removed.ExitCode == 0, removed.Stderr);
        await using var server = await RunningServer.StartAsync(options);
        using var client = server.Client(secret);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(client, $"/api/v3/stealerlogsbyemail/leave@{Domain}")).Item1);
        Assert.Equal(HttpStatusCode.OK, (await Get(client, $"/api/v3/stealerlogsbyemail/stay@{Domain}")).Item1);
        Assert.Equal((HttpStatusCode.OK, $"[\"stay@{Domain}\"]"), await Get(client, $"/api/v3/stealerlogsbywebsitedomain/{Website}"));
        var (status, body) = await Get(client, $"/api/v3/stealerlogsbyemaildomain/{Domain}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["stay"], JsonSerializer.Deserialize<Dictionary<string, string[]>>(body)!.Keys);
    }

    /// <summary>The website store: an entry still sealed as version 1 (untouched by the second ingest) and one the
    /// second ingest merged with its version-1 blob both answer.</summary>
    private static async Task AssertWebsiteStore(HttpClient org, UlpTestFile truth, string untouched, string known)
    {
        foreach (var email in new[] { untouched, known })
        {
            using var r = await org.GetAsync("/api/v3/stealerlogsbyemail/" + Uri.EscapeDataString(email));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var expected = new SortedSet<string>(truth.WebsitesByEmail[email], StringComparer.Ordinal);
            if (email == known)
            {
                expected.Add(Website);
            }

            Assert.Equal(expected, JsonSerializer.Deserialize<string[]>(await r.Content.ReadAsStringAsync()));
        }
    }

    /// <summary>Two keys: the first has verified the test's domains (mail4.example.com only added, not verified);
    /// the second nothing. One address is opted out.</summary>
    private static (string Secret, string OtherSecret) CreateKeys(TempDir dir)
    {
        using var state = SqliteStateStore.Open(dir.DataDir);
        var now = DateTimeOffset.UtcNow;
        var (key, secret) = state.CreateKey("org", 1_000_000, now);
        var otherSecret = state.CreateKey("other", 1_000_000, now).Secret;
        foreach (var d in new[] { Domain, Website, "empty.example.com", "nothing-here.example.org", "mail4.example.com" })
        {
            state.AddDomain(key.Id, d, new byte[32], now);
            if (d != "mail4.example.com")
            {
                Assert.True(state.MarkDomainVerified(key.Id, d, "dns", now));
            }
        }

        var hidden = new byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(new IdentifierHasher(KeyFile.Load(dir.KeyFile)).HashEmail("hidden.person@" + Domain), hidden);
        state.AddOptOut(hidden, now);
        return (secret, otherSecret);
    }

    /// <summary>Rewrites the published website store with every entry sealed as version 1 (the first stores' per-entry
    /// keys), as a data dir written before version 2 holds it.</summary>
    private static long RewriteSitesAsVersion1(TempDir dir)
    {
        var keys = KeyFile.Load(dir.KeyFile);
        var path = Path.Combine(dir.DataDir, new ExposureIndexStore(dir.DataDir).ReadManifest().StealerSites!);
        var rewritten = path + ".v1";
        using (var opener = new StealerSiteSealer(keys))
        using (var file = StealerSiteFile.Open(path))
        using (var writer = new StealerSiteWriter(rewritten))
        {
            foreach (var (key, blob) in file.ReadAll())
            {
                Assert.Equal(2, blob[0]);
                writer.Add(key, StealerSiteSealer.SealVersion1ForTests(keys, key, opener.Open(key, blob)));
            }

            writer.Finish();
        }

        File.Move(rewritten, path, overwrite: true);
        using var check = StealerSiteFile.Open(path);
        Assert.All(check.ReadAll(), e => Assert.Equal(1, e.Blob[0]));
        return check.Entries;
    }

    private static void Ingest(TempDir dir, string path, string breach, params string[] extra)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", path, "--breach", breach, "--format", "ulp", "--json", .. extra]);
        Assert.True(r.ExitCode == 0, $"ingest failed ({r.ExitCode}): {r.Stderr}");
    }
}
