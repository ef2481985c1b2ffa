using System.Globalization;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Synthetic;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Bulk checks' data: Alpha (CSV, 2019) and Beta (JSON Lines recycling 30% of Alpha, 2021), both ingested with
/// <c>--private</c> by the real CLI, one Alpha email opted out in the store, and keys made before the server starts.
/// The expected answers come from the generator's truth, not from the lookup under test.
/// </summary>
public sealed class BulkFixture : IAsyncLifetime
{
    public TempDir Dir { get; } = new();

    public GeneratorTruth Alpha { get; private set; } = null!;

    public GeneratorTruth Beta { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>A key with a very high rpm.</summary>
    public string Key { get; private set; } = "";

    /// <summary>A key allowed 50 requests a minute.</summary>
    public string LimitedKey { get; private set; } = "";

    /// <summary>A key for the enumeration walk (blocked by its test).</summary>
    public string WalkKey { get; private set; } = "";

    /// <summary>An Alpha email opted out of public search.</summary>
    public string OptedOut { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var alpha = Dir.File("alpha.csv");
        var beta = Dir.File("beta.jsonl");
        Alpha = DumpGenerator.Generate(new GeneratorOptions(2_000, 41, DumpShape.Csv), alpha, collectIdentifiers: true);
        Beta = DumpGenerator.Generate(new GeneratorOptions(1_000, 42, DumpShape.JsonLines) { RecycleFrom = alpha, RecycleRate = 0.3 }, beta, collectIdentifiers: true);
        Dir.Ingest(alpha, "Alpha", "--date", "2019-03-01", "--private");
        Dir.Ingest(beta, "Beta", "--date", "2021-06-01", "--private");

        OptedOut = Alpha.Emails!.Order(StringComparer.Ordinal).First(e => !Beta.Emails!.Contains(e));
        using (var lookup = ExposureLookup.Open(Dir.DataDir, KeyFile.Load(Dir.KeyFile)))
        using (var store = SqliteStateStore.Open(Dir.DataDir))
        {
            Assert.Equal(AccountKind.Email, lookup.TryKey(OptedOut, new PhoneNormalizer(null), out var key));
            var bytes = new byte[IndexKeys.KeyBytes];
            IndexKeys.WriteBigEndian(key, bytes);
            store.AddOptOut(bytes, DateTimeOffset.UtcNow);
            var now = DateTimeOffset.UtcNow;
            Key = store.CreateKey("bulk", 1_000_000, now).Secret;
            LimitedKey = store.CreateKey("bulk-limited", 50, now).Secret;
            WalkKey = store.CreateKey("bulk-walk", 1_000_000, now).Secret;
        }

        Server = await RunningServer.StartAsync(Options());
    }

    public ServerOptions Options() => new()
    {
        DataDir = Dir.DataDir,
        KeyFilePath = Dir.KeyFile,
        ConsoleLogging = false,
        PrivateRpm = 1_000,
        PrivateGlobalRps = 1_000,
        MetricsUrls = "http://127.0.0.1:0",
        ConfigureLogging = l => l.AddProvider(Logs),
    };

    /// <summary>The breach names account search shows for a normalized email, oldest first, from the truth.</summary>
    public List<string> Expected(string email) => Names(Alpha.Emails!.Contains(email), Beta.Emails!.Contains(email));

    public List<string> Expected(ulong phone) => Names(Alpha.Phones!.Contains(phone), Beta.Phones!.Contains(phone));

    private static List<string> Names(bool alpha, bool beta) => [.. alpha ? ["Alpha"] : Array.Empty<string>(), .. beta ? ["Beta"] : Array.Empty<string>()];

    public static string Plus(ulong e164) => "+" + e164.ToString(CultureInfo.InvariantCulture);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dir.Dispose();
    }
}
