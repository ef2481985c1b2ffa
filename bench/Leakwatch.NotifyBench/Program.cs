using System.Globalization;
using Leakwatch.Bench.Notify;

// Whole-process helpers for bench/notify.sh. Subcommands:
//   seed DATA_DIR KEY_FILE DUMP COUNT IN_BREACH   verified subscriptions straight into the data dir's catalog.db
return args.Length > 0 && args[0] == "seed" && args.Length == 6
    ? SubscriptionSeeder.Run(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture))
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: Leakwatch.NotifyBench seed DATA_DIR KEY_FILE DUMP COUNT IN_BREACH");
    return 2;
}
