using Leakwatch.Catalog.State;
using System.Globalization;
using Leakwatch.Catalog;
using Leakwatch.Synthetic;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Two generated dumps ingested by the real CLI: Alpha (CSV, 2019, alpha.example) and Beta (JSON Lines recycling 30% of
/// Alpha's persons, 2021, beta.example, marked unverified). Keys are made before the shared server starts.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TempDir Dir { get; } = new();

    public GeneratorTruth Alpha { get; private set; } = null!;

    public GeneratorTruth Beta { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    /// <summary>A key with a very high rpm, for most tests.</summary>
    public string Key { get; private set; } = "";

    /// <summary>A key allowed 2 requests per minute.</summary>
    public string SlowKey { get; private set; } = "";

    public string BotKey { get; private set; } = "";

    public int BotKeyId { get; private set; }

    public string NormalKey { get; private set; } = "";

    public string SweepKey { get; private set; } = "";

    public string LogKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var alpha = Dir.File("alpha.csv");
        var beta = Dir.File("beta.jsonl");
        Alpha = DumpGenerator.Generate(new GeneratorOptions(4_000, 11, DumpShape.Csv), alpha, collectIdentifiers: true);
        Beta = DumpGenerator.Generate(new GeneratorOptions(3_000, 12, DumpShape.JsonLines) { RecycleFrom = alpha, RecycleRate = 0.3 }, beta, collectIdentifiers: true);
        Dir.Ingest(alpha, "Alpha", "--date", "2019-03-01", "--domain", "alpha.example", "--title", "Alpha Inc");
        Dir.Ingest(beta, "Beta", "--date", "2021-06-01", "--domain", "beta.example");

        using (var catalog = SqliteStateStore.Open(Dir.DataDir))
        {
            var b = catalog.AllBreaches().Single(x => x.Name == "Beta");
            catalog.UpdateBreach(b with { IsVerified = false });
        }

        using (var keys = SqliteStateStore.Open(Dir.DataDir))
        {
            var now = DateTimeOffset.UtcNow;
            Key = keys.CreateKey("tests", 1_000_000, now).Secret;
            SlowKey = keys.CreateKey("slow", 2, now).Secret;
            var bot = keys.CreateKey("bot", 1_000_000, now);
            (BotKey, BotKeyId) = (bot.Secret, bot.Key.Id);
            NormalKey = keys.CreateKey("normal", 1_000_000, now).Secret;
            SweepKey = keys.CreateKey("sweep", 1_000_000, now).Secret;
            LogKey = keys.CreateKey("log", 1_000_000, now).Secret;
        }

        Server = await RunningServer.StartAsync(Options());
    }

    public ServerOptions Options() => new()
    {
        DataDir = Dir.DataDir,
        KeyFilePath = Dir.KeyFile,
        TestAccounts = true,
        ConsoleLogging = false,
        MetricsUrls = "http://127.0.0.1:0",
    };

    public static string Plus(ulong e164) => "+" + e164.ToString(CultureInfo.InvariantCulture);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
