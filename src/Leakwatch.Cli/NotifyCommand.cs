using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Catalog.State;
using Spectre.Console;

namespace Leakwatch.Cli;

/// <summary><c>leakwatch notify status|retry|replay</c>: the notification outbox in the state store (catalog.db or
/// PostgreSQL), as every server delivering it sees it.</summary>
internal static class NotifyCommand
{
    private const int ErrorsShown = 10;

    public static Command Build()
    {
        var notify = new Command("notify", "The notification outbox: what is pending, delivered or dead-lettered (mails and webhooks)");
        notify.Subcommands.Add(BuildStatus());
        notify.Subcommands.Add(BuildRetry());
        notify.Subcommands.Add(BuildReplay());
        return notify;
    }

    /// <summary>`notify status`: counts by state and channel, the oldest pending row and the last errors.</summary>
    private static Command BuildStatus()
    {
        var status = new Command("status", "Counts by state and channel, the oldest pending notification and the last errors (never an address)") { CliContext.Json };
        status.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var line = Read(r);
            if (r.GetValue(CliContext.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(line, NotifyCliJson.Default.NotifyStatusLine));
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{line.Pending} pending, {line.Delivered} delivered, {line.Dead} dead, {line.Cancelled} cancelled");
            if (line.OldestPending is { } oldest)
            {
                Console.WriteLine($"oldest pending since {oldest.ToString("u", CultureInfo.InvariantCulture)} ({Age(DateTimeOffset.UtcNow - oldest)} ago)");
            }

            if (line.Channels.Count > 0)
            {
                var t = new Table().Border(TableBorder.Rounded);
                t.AddColumns("Channel", "Pending", "Delivered", "Dead", "Cancelled");
                foreach (var c in line.Channels)
                {
                    t.AddRow(c.Channel, N(c.Pending), N(c.Delivered), N(c.Dead), N(c.Cancelled));
                }

                AnsiConsole.Write(t);
            }

            if (line.LastErrors.Count > 0)
            {
                Console.WriteLine("last errors:");
                foreach (var e in line.LastErrors)
                {
                    var next = e.State == "pending" && e.NextAttempt is { } at ? $", next try {at.ToString("u", CultureInfo.InvariantCulture)}" : "";
                    Console.WriteLine($"  #{e.Id} {e.Channel} {e.Event} breach {e.BreachId}: {e.State} after {e.Attempts} attempt(s){next}: {e.Error}");
                }
            }

            return ExitCodes.Ok;
        }));
        return status;
    }

    /// <summary>`notify retry [--id N]`: dead rows back in the queue, due at once.</summary>
    private static Command BuildRetry()
    {
        var id = new Option<long?>("--id") { Description = "Only this row (an id from `notify status`); default: every dead row" };
        var retry = new Command("retry", "Put dead-lettered notifications back in the queue, due at once, with a fresh retry schedule") { id };
        retry.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var only = r.GetValue(id);
            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var requeued = store.RetryDead(only, DateTimeOffset.UtcNow);
            if (only is { } one && requeued == 0)
            {
                Console.Error.WriteLine($"leakwatch: error: --id: no dead notification with id {one.ToString(CultureInfo.InvariantCulture)}");
                return ExitCodes.NotFound;
            }

            Console.WriteLine($"requeued {requeued} dead notification(s)");
            return ExitCodes.Ok;
        }));
        return retry;
    }

    /// <summary>`notify replay BREACH`: a breach's delivered and dead rows sent again under their message ids.</summary>
    private static Command BuildReplay()
    {
        var breach = new Argument<string>("breach") { Description = "Breach name (as in `leakwatch list`)" };
        var replay = new Command("replay", "Send a breach's notifications again, delivered and dead ones alike, under the same Message-ID / webhook-id (receivers can tell a duplicate)")
        {
            breach,
        };
        replay.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var name = r.GetValue(breach)!;
            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var found = store.AllBreaches().Find(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
            if (found is null)
            {
                Console.Error.WriteLine($"leakwatch: error: breach: no breach named '{name.ReplaceLineEndings(" ")}'");
                return ExitCodes.NotFound;
            }

            var requeued = store.Replay(found.Id, DateTimeOffset.UtcNow);
            Console.WriteLine($"requeued {requeued} notification(s) of {found.Name}");
            return ExitCodes.Ok;
        }));
        return replay;
    }

    private static NotifyStatusLine Read(ParseResult r)
    {
        using var store = StateStore.OpenReadOnly(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
        if (store is null)
        {
            // No catalogue yet: nothing was ever enqueued.
            return new NotifyStatusLine(0, 0, 0, 0, null, [], []);
        }

        var counts = store.OutboxStatus();
        var channels = new List<NotifyChannelLine>();
        foreach (var group in store.OutboxCountsByChannel().GroupBy(c => c.Channel))
        {
            long Count(OutboxState s) => group.Where(c => c.State == s).Sum(c => c.Count);
            channels.Add(new NotifyChannelLine(Name(group.Key), Count(OutboxState.Pending), Count(OutboxState.Delivered), Count(OutboxState.Dead),
                Count(OutboxState.Cancelled)));
        }

        var errors = store.RecentErrors(ErrorsShown).ConvertAll(e => new NotifyErrorLine(e.Id, Name(e.Channel), e.Event, e.BreachId,
            e.State.ToString().ToLowerInvariant(), e.Attempts, e.State == OutboxState.Pending ? e.NextAttempt : null, e.LastError ?? ""));
        return new NotifyStatusLine(counts.Pending, counts.Delivered, counts.Dead, counts.Cancelled, counts.OldestPending, channels, errors);
    }

    private static string Name(OutboxChannel channel) => channel.ToString().ToLowerInvariant();

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Age(TimeSpan age) => age.TotalHours >= 1
        ? $"{(int)age.TotalHours} h {age.Minutes} min"
        : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes} min" : $"{Math.Max(0, (int)age.TotalSeconds)} s";
}
