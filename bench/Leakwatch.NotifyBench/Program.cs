using System.Globalization;
using Leakwatch.Bench.Notify;

// Whole-process helpers for bench/notify.sh. Subcommands:
//   seed DATA_DIR KEY_FILE DUMP COUNT IN_BREACH   verified subscriptions straight into the data dir's catalog.db
if (args.Length == 2 && args[0] == "raw")
{
    using var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(args[1], "catalog.db"));
    db.Open();
    for (var round = 0; round < 3; round++)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id, match_key FROM subscriptions WHERE verified IS NOT NULL AND verified <= '9999'";
        using var r = cmd.ExecuteReader();
        var key = new byte[16];
        long n = 0;
        while (r.Read())
        {
            n += Environment.GetEnvironmentVariable("MODE") switch { "id" => r.GetInt64(0), "value" => ((byte[])r.GetValue(1)).Length, "field" => r.GetFieldValue<byte[]>(1).Length, _ => r.GetInt64(0) + r.GetBytes(1, 0, key, 0, 16) };
        }

        Console.WriteLine($"raw round {round}: {n} in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    return 0;
}

if (args.Length == 2 && args[0] == "load")
{
    using var state = Leakwatch.Catalog.State.SqliteStateStore.Open(args[1]);
    for (var round = 0; round < 3; round++)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var n = 0;
        state.ForEachVerifiedSubscription(DateTimeOffset.MaxValue, (_, _) => n++);
        Console.WriteLine($"round {round}: {n:N0} rows in {clock.Elapsed.TotalMilliseconds:F0} ms");
    }

    return 0;
}

return args.Length > 0 && args[0] == "seed" && args.Length == 6
    ? SubscriptionSeeder.Run(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture))
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: Leakwatch.NotifyBench seed DATA_DIR KEY_FILE DUMP COUNT IN_BREACH");
    return 2;
}
