using Leakwatch.Catalog.State;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Core;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Synthetic;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Sensitive, retired and removed breaches in the private tier, seen as a raw client sees them: the reference
/// client's decode of the bucket (<see cref="PrivateLookupClient.Finish"/>), every id it decrypts kept, none dropped
/// through <c>config.breaches</c> as the page does. The data dir is built and changed by the real CLI.
/// </summary>
public class PrivateListingTests
{
    private static readonly PhoneNormalizer Phones = new(null);

    [Fact]
    public async Task ListingChanges_RawClient_NeverDecryptsIdsOfHiddenOrRemovedBreaches()
    {
        using var dir = new TempDir();
        var (a, p, s, r) = (dir.File("a.csv"), dir.File("p.csv"), dir.File("s.jsonl"), dir.File("r.csv"));
        var ta = DumpGenerator.Generate(new GeneratorOptions(600, 131, DumpShape.Csv), a, collectIdentifiers: true);
        var tp = DumpGenerator.Generate(new GeneratorOptions(300, 132, DumpShape.Csv) { RecycleFrom = a, RecycleRate = 0.5 }, p, collectIdentifiers: true);
        var ts = DumpGenerator.Generate(new GeneratorOptions(300, 133, DumpShape.JsonLines) { RecycleFrom = a, RecycleRate = 0.5 }, s, collectIdentifiers: true);
        var tr = DumpGenerator.Generate(new GeneratorOptions(300, 134, DumpShape.Csv) { RecycleFrom = a, RecycleRate = 0.5 }, r, collectIdentifiers: true);
        dir.Ingest(p, "Plain"); // indexed plainly only: its id reaches chains through the identifiers A brings in
        dir.Ingest(a, "Public", "--private");
        dir.Ingest(s, "Hidden", "--private");
        dir.Ingest(r, "Removed", "--private");
        var id = BreachIds(dir);
        var all = new[] { ta, tp, ts, tr };
        var phoneOnlyS = ServerFixture.Plus(OnlyIn(ts, all, t => t.Phones!));
        var phoneOnlyR = ServerFixture.Plus(OnlyIn(tr, all, t => t.Phones!));
        var emailOnlyS = OnlyIn(ts, all, t => t.Emails!);
        var phoneAS = ServerFixture.Plus(Shared(ta, ts, tp, tr, t => t.Phones!));
        var emailAS = Shared(ta, ts, tp, tr, t => t.Emails!);
        var phoneAR = ServerFixture.Plus(Shared(ta, tr, tp, ts, t => t.Phones!));
        var emailAP = Shared(ta, tp, ts, tr, t => t.Emails!);

        // Before any change the raw client sees every id: what follows is not an artefact of a missing entry.
        Assert.Equal([id["Hidden"]], await RawIds(dir, phoneOnlyS));
        Assert.Equal([id["Removed"]], await RawIds(dir, phoneOnlyR));
        Assert.Equal([id["Plain"], id["Public"]], await RawIds(dir, emailAP));

        Cli(dir, "breach", "set", "Hidden", "--sensitive");
        Cli(dir, "breach", "set", "Plain", "--sensitive");
        var removed = Cli(dir, "remove", "Removed");
        Assert.Empty(await RawIds(dir, phoneOnlyS));
        Assert.Empty(await RawIds(dir, emailOnlyS));
        Assert.Empty(await RawIds(dir, phoneOnlyR));
        Assert.Equal([id["Public"]], await RawIds(dir, phoneAS));
        Assert.Equal([id["Public"]], await RawIds(dir, emailAS));
        Assert.Equal([id["Public"]], await RawIds(dir, phoneAR));
        Assert.Equal([id["Public"]], await RawIds(dir, emailAP));
        Assert.Contains("private index: generation", removed.Stdout, StringComparison.Ordinal);

        Cli(dir, "breach", "set", "Hidden", "--not-sensitive");
        Assert.Equal([id["Hidden"]], await RawIds(dir, phoneOnlyS));
        Assert.Equal([id["Public"], id["Hidden"]], await RawIds(dir, phoneAS));

        Cli(dir, "breach", "set", "Hidden", "--retired");
        Assert.Empty(await RawIds(dir, phoneOnlyS));
        Assert.Equal([id["Public"]], await RawIds(dir, emailAS));
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).ExitCode);
    }

    [Fact]
    public async Task HidingBreach_DumpGone_WithdrawsPrivateTierWith503UntilRotateOprf()
    {
        using var dir = new TempDir();
        var (a, s) = (dir.File("a.csv"), dir.File("s.csv"));
        var ta = DumpGenerator.Generate(new GeneratorOptions(500, 141, DumpShape.Csv), a, collectIdentifiers: true);
        var ts = DumpGenerator.Generate(new GeneratorOptions(300, 142, DumpShape.Csv) { RecycleFrom = a, RecycleRate = 0.5 }, s, collectIdentifiers: true);
        dir.Ingest(a, "Public", "--private");
        dir.Ingest(s, "Hidden", "--private");
        var id = BreachIds(dir);
        var phoneOnlyS = ServerFixture.Plus(OnlyIn(ts, [ta, ts], t => t.Phones!));
        var phoneAS = ServerFixture.Plus(Shared(ta, ts, ts, ts, t => t.Phones!));
        File.Move(s, dir.File("elsewhere.csv"));

        var set = Cli(dir, "breach", "set", "Hidden", "--sensitive");
        var warning = Assert.Single(set.StderrLines);
        Assert.Contains("withdrawn", warning, StringComparison.Ordinal);
        Assert.Contains("rotate-oprf", warning, StringComparison.Ordinal);
        Assert.Contains(s, warning, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.DataDir, "private"), "gen-*.lwp"));
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "fsck"]).ExitCode);

        await using (var server = await Serve(dir))
        {
            using var c = server.Client();
            var config = await c.GetAsync("/api/private/config");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, config.StatusCode);
            var message = JsonDocument.Parse(await config.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString();
            Assert.Equal("private lookups are withdrawn until the operator rebuilds the private index", message);
            var query = PrivateLookupClient.Prepare("email:x@example.com"u8.ToArray(), new PrivateLayout([(0, 0)]))!;
            var evaluate = await c.PostAsJsonAsync("/api/private/evaluate", new { bucket = 0, blindedElement = Convert.ToBase64String(query.BlindedElement) });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, evaluate.StatusCode);
        }

        // Nothing merges into a withdrawn index; the rebuild needs every listed source, or the breach dropped.
        Assert.Equal(4, LeakwatchProcess.Run([.. dir.Dirs, "private", "build", a, "--breach", "Public"]).ExitCode);
        var refused = LeakwatchProcess.Run([.. dir.Dirs, "keys", "rotate-oprf"]);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("--drop", refused.Stderr, StringComparison.Ordinal);
        Cli(dir, "keys", "rotate-oprf", "--drop", "Hidden");
        Assert.Empty(await RawIds(dir, phoneOnlyS));
        Assert.Equal([id["Public"]], await RawIds(dir, phoneAS));
    }

    private static LeakwatchProcess.Result Cli(TempDir dir, params string[] args)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, .. args]);
        Assert.True(r.ExitCode == 0, $"leakwatch {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr}");
        return r;
    }

    private static Task<RunningServer> Serve(TempDir dir) =>
        RunningServer.StartAsync(new ServerOptions { DataDir = dir.DataDir, KeyFilePath = dir.KeyFile, ConsoleLogging = false, PrivateRpm = 10_000 });

    /// <summary>One lookup over HTTP from a server started on the data dir as it is now: every id the entries hold, in
    /// order, with no filtering by the config's breach list.</summary>
    private static async Task<List<int>> RawIds(TempDir dir, string account)
    {
        await using var server = await Serve(dir);
        using var c = server.Client();
        var config = await PrivateHttpClient.GetConfigAsync(c);
        var query = PrivateLookupClient.Prepare(PrivateLookupClient.TryCanonicalize(account, Phones)!, config.Layout)!;
        var r = await c.PostAsJsonAsync("/api/private/evaluate", new { bucket = query.Bucket, blindedElement = Convert.ToBase64String(query.BlindedElement) });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var e = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        var ids = PrivateLookupClient.Finish(query, Convert.FromBase64String(e.GetProperty("evaluatedElement").GetString()!), config.Salt,
            Convert.FromBase64String(e.GetProperty("entries").GetString()!));
        ids.Sort();
        return ids;
    }

    /// <summary>Catalogue ids by name.</summary>
    private static Dictionary<string, int> BreachIds(TempDir dir)
    {
        using var catalog = SqliteStateStore.OpenReadOnly(dir.DataDir)!;
        return catalog.AllBreaches().ToDictionary(b => b.Name, b => b.Id);
    }

    private static T OnlyIn<T>(GeneratorTruth t, GeneratorTruth[] all, Func<GeneratorTruth, IEnumerable<T>> of) =>
        of(t).Where(x => all.Where(o => o != t).All(o => !of(o).Contains(x))).Order().First();

    private static T Shared<T>(GeneratorTruth x, GeneratorTruth y, GeneratorTruth notIn1, GeneratorTruth notIn2, Func<GeneratorTruth, IEnumerable<T>> of) =>
        of(x).Where(v => of(y).Contains(v) && (notIn1 == x || notIn1 == y || !of(notIn1).Contains(v)) && (notIn2 == x || notIn2 == y || !of(notIn2).Contains(v)))
            .Order().First();
}
