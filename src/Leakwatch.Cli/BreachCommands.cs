using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Ingest;
using Leakwatch.Ingest.Lookup;
using Spectre.Console;

namespace Leakwatch.Cli;

internal static class BreachCommands
{
    public static IEnumerable<Command> Build()
    {
        var list = new Command("breaches", "List published breaches, oldest first") { CliContext.Json };
        list.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var lookup = ExposureLookup.Open(CliContext.ResolveDataDir(r), CliContext.LoadKeys(r, create: false));
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
        var show = new Command("breach", "Show one breach and its ingest statistics") { nameArg, CliContext.Json };
        show.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var lookup = ExposureLookup.Open(CliContext.ResolveDataDir(r), CliContext.LoadKeys(r, create: false));
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
        var remove = new Command("remove", "Remove a breach from the index and catalogue") { removeName };
        remove.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var name = r.GetValue(removeName)!;
            if (!DataDirMaintenance.Remove(CliContext.ResolveDataDir(r), CliContext.LoadKeys(r, create: false), name))
            {
                Console.Error.WriteLine($"leakwatch: error: no breach named '{name}'");
                return ExitCodes.NotFound;
            }

            Console.WriteLine($"removed {name}");
            return ExitCodes.Ok;
        }));
        yield return remove;
    }
}
