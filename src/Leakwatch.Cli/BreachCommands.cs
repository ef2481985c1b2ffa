using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Ingest;
using Leakwatch.Ingest.Private;
using Spectre.Console;

namespace Leakwatch.Cli;

internal static class BreachCommands
{
    public static IEnumerable<Command> Build()
    {
        var list = new Command("breaches", "List published breaches, oldest first") { CliContext.Json };
        list.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var lookup = ExposureLookup.Open(CliContext.ResolveDataDir(r), CliContext.LoadKeys(r, create: false), CliContext.ResolveState(r));
            if (r.GetValue(CliContext.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(lookup.Breaches.Select(HibpBreach.From).ToList(), HibpJson.Default.ListHibpBreach));
                return ExitCodes.Ok;
            }

            var t = new Table().Border(TableBorder.Rounded);
            t.AddColumns("Name", "Breach date", "Accounts", "Data classes");
            foreach (var b in lookup.Breaches)
            {
                t.AddRow(Markup.Escape(b.Name), b.BreachDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    b.PwnCount.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", b.DataClasses)));
            }

            AnsiConsole.Write(t);
            return ExitCodes.Ok;
        }));
        yield return list;

        var nameArg = new Argument<string>("name") { Description = "Breach name" };
        var show = new Command("breach", "Show one breach and its ingest statistics; `breach set` records an analyst's decision") { nameArg, CliContext.Json };
        show.Subcommands.Add(BuildSet());
        show.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var lookup = ExposureLookup.Open(CliContext.ResolveDataDir(r), CliContext.LoadKeys(r, create: false), CliContext.ResolveState(r));
            var b = lookup.FindBreach(r.GetValue(nameArg)!);
            if (b is null)
            {
                Console.Error.WriteLine($"leakwatch: error: no breach named '{r.GetValue(nameArg)}'");
                return ExitCodes.NotFound;
            }

            if (r.GetValue(CliContext.Json))
            {
                var hibp = JsonSerializer.Serialize(HibpBreach.From(b), HibpJson.Default.HibpBreach);
                Console.WriteLine(b.StatsJson is null ? hibp : hibp[..^1] + ",\"Stats\":" + b.StatsJson + "}");
                return ExitCodes.Ok;
            }

            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Name", Markup.Escape(b.Name));
            grid.AddRow("Title", Markup.Escape(b.Title));
            grid.AddRow("Domain", Markup.Escape(b.Domain));
            grid.AddRow("Breach date", b.BreachDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            grid.AddRow("Added", b.AddedDate.ToString("u", CultureInfo.InvariantCulture));
            grid.AddRow("Accounts", b.PwnCount.ToString("N0", CultureInfo.InvariantCulture));
            grid.AddRow("Data classes", Markup.Escape(string.Join(", ", b.DataClasses)));
            grid.AddRow("Flags", $"verified={b.IsVerified} fabricated={b.IsFabricated} sensitive={b.IsSensitive} spam-list={b.IsSpamList} retired={b.IsRetired}");
            AnsiConsole.Write(grid);
            if (b.StatsJson is not null)
            {
                var stats = JsonSerializer.Deserialize(b.StatsJson, IngestJson.Default.IngestStats);
                if (stats is not null)
                {
                    IngestCommand.RenderStats(stats);
                }
            }

            return ExitCodes.Ok;
        }));
        yield return show;

        var removeName = new Argument<string>("name") { Description = "Breach name" };
        yield return BuildRemove(removeName);
    }

    /// <summary>`breach set NAME --verified|--unverified|--fabricated|…`: flags served by the HIBP API.</summary>
    private static Command BuildSet()
    {
        var name = new Argument<string>("name") { Description = "Breach name" };
        var flags = new (string Option, string Description, Func<Core.Breach, bool, Core.Breach> Apply)[]
        {
            ("verified", "IsVerified: the data is tied to the named source", (b, v) => b with { IsVerified = v }),
            ("fabricated", "IsFabricated: unlikely to come from the named source", (b, v) => b with { IsFabricated = v }),
            ("spam-list", "IsSpamList: not the result of a security compromise", (b, v) => b with { IsSpamList = v }),
            ("sensitive", "IsSensitive: hidden from public account search", (b, v) => b with { IsSensitive = v }),
            ("retired", "IsRetired: no longer served in searches", (b, v) => b with { IsRetired = v }),
            ("malware", "IsMalware: collected by malware", (b, v) => b with { IsMalware = v }),
            ("subscription-free", "IsSubscriptionFree", (b, v) => b with { IsSubscriptionFree = v }),
            ("stealer-log", "IsStealerLog", (b, v) => b with { IsStealerLog = v }),
        };
        var title = new Option<string?>("--title") { Description = "New title" };
        var description = new Option<string?>("--description") { Description = "New description (HTML as in HIBP)" };
        var cmd = new Command("set", "Record flags and metadata for a breach (served by the HIBP-compatible API)") { name, title, description };
        var options = new List<(Option<bool> On, Option<bool> Off, Func<Core.Breach, bool, Core.Breach> Apply)>();
        foreach (var (opt, desc, apply) in flags)
        {
            var on = new Option<bool>("--" + opt) { Description = "Set " + desc };
            var off = new Option<bool>("--not-" + opt) { Description = "Clear " + opt };
            cmd.Options.Add(on);
            cmd.Options.Add(off);
            options.Add((on, off, apply));
        }

        var unverified = new Option<bool>("--unverified") { Description = "Same as --not-verified" };
        cmd.Options.Add(unverified);
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            Core.Breach Change(Core.Breach b)
            {
                var changed = b;
                foreach (var (on, off, apply) in options)
                {
                    if (r.GetValue(on) && r.GetValue(off))
                    {
                        throw new UsageException($"{on.Name} and {off.Name} contradict each other");
                    }

                    if (r.GetValue(on))
                    {
                        changed = apply(changed, true);
                    }
                    else if (r.GetValue(off))
                    {
                        changed = apply(changed, false);
                    }
                }

                if (r.GetValue(unverified))
                {
                    changed = changed with { IsVerified = false };
                }

                changed = changed with
                {
                    Title = r.GetValue(title) ?? changed.Title,
                    Description = r.GetValue(description) ?? changed.Description,
                };
                return changed == b ? throw new UsageException("nothing to change: give at least one flag, --title or --description") : changed;
            }

            using var cts = IngestCommand.CancelOnCtrlC();
            var result = BreachListing.Update(CliContext.ResolveDataDir(r), () => CliContext.LoadKeys(r, create: false), r.GetValue(name)!, Change,
                ct: cts.Token, state: CliContext.ResolveState(r));
            if (result.Before is null)
            {
                Console.Error.WriteLine($"leakwatch: error: no breach named '{r.GetValue(name)}'");
                return ExitCodes.NotFound;
            }

            Console.WriteLine($"updated {result.Before.Name}");
            ReportPrivate(result.Private);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command BuildRemove(Argument<string> removeName)
    {
        var remove = new Command("remove", "Remove a breach from the index and catalogue") { removeName };
        remove.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var name = r.GetValue(removeName)!;
            using var cts = IngestCommand.CancelOnCtrlC();
            if (!DataDirMaintenance.Remove(CliContext.ResolveDataDir(r), CliContext.LoadKeys(r, create: false), name, out var privateChange, ct: cts.Token, state: CliContext.ResolveState(r)))
            {
                Console.Error.WriteLine($"leakwatch: error: no breach named '{name}'");
                return ExitCodes.NotFound;
            }

            Console.WriteLine($"removed {name}");
            ReportPrivate(privateChange);
            return ExitCodes.Ok;
        }));
        return remove;
    }

    /// <summary>One line on what the listing change did to the private index; a warning when it needs the operator.</summary>
    private static void ReportPrivate(PrivateListingChange change)
    {
        if (change.Build is { } build)
        {
            Console.WriteLine($"private index: generation {build.Generation.ToString(CultureInfo.InvariantCulture)}, {build.Evaluated.ToString(CultureInfo.InvariantCulture)} identifiers re-indexed");
        }

        if (change.Message is { } message)
        {
            Console.Error.WriteLine($"leakwatch: warning: {message}");
        }
    }
}
