using System.Globalization;
using Leakwatch.Bench.Notify;

// Whole-process helpers for bench/notify-match.sh. Subcommands:
//   seed DATA_DIR KEY_FILE DUMP COUNT IN_BREACH   verified subscriptions straight into the data dir's catalog.db
//   load DATA_DIR                                 times reading the verified subscriptions, three times (cold, then warm)
//   enqueue DATA_DIR N                            times queueing N mail rows for one breach (wall and CPU), in a copy
//   mail N [PER_DESTINATION]                      N mails through the delivery loop to a loopback SMTP server
//   webhooks N [PER_DESTINATION]                  N signed webhooks through the delivery loop to a loopback receiver
if (args.Length is 2 or 3 && args[0] is "mail" or "webhooks")
{
    var n = int.Parse(args[1], CultureInfo.InvariantCulture);
    var per = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4;
    return args[0] == "mail" ? await DeliveryThroughput.MailAsync(n, per) : await DeliveryThroughput.WebhooksAsync(n, per);
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

if (args.Length == 3 && args[0] == "enqueue")
{
    using var state = Leakwatch.Catalog.State.SqliteStateStore.Open(args[1]);
    var n = int.Parse(args[2], CultureInfo.InvariantCulture);
    var items = new List<Leakwatch.Catalog.State.OutboxItem>(n);
    var breach = (int)state.MatchedThrough() + 1000;
    for (var i = 0; i < n; i++)
    {
        items.Add(Leakwatch.Notify.Matching.NotificationMatcher.MailRow(i + 1, breach));
    }

    // Warmed up first (JIT, the statement's first prepare), on another breach id.
    state.Enqueue([Leakwatch.Notify.Matching.NotificationMatcher.MailRow(1, breach - 1)], breach - 1, DateTimeOffset.UtcNow);
    var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var queued = state.Enqueue(items, breach, DateTimeOffset.UtcNow);
    Console.WriteLine($"queued {queued:N0} in {clock.Elapsed.TotalMilliseconds:F0} ms wall, {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU");
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
