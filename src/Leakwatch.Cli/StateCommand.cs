using System.CommandLine;
using Leakwatch.Catalog.State;

namespace Leakwatch.Cli;

/// <summary><c>leakwatch state migrate --to URL</c>: moves a one-machine install's state into PostgreSQL.</summary>
internal static class StateCommand
{
    public static Command Build()
    {
        var state = new Command("state", "The state store (breach rows, API keys): see --state");
        state.Subcommands.Add(BuildMigrate());
        return state;
    }

    private static Command BuildMigrate()
    {
        var to = new Option<string>("--to") { Description = "Target: postgresql://user[:password]@host:port/database (an empty database)", Required = true };
        var replace = new Option<bool>("--replace") { Description = "Overwrite a target that already holds breaches or keys (e.g. to migrate again)" };
        var migrate = new Command("migrate", "Copy catalog.db (breaches with their ids, reports, API keys) into PostgreSQL in one transaction and verify it; then run every command with --state URL")
        {
            to, replace, CliContext.Json,
        };
        migrate.SetAction(r => LeakwatchCli.Guard(() =>
        {
            StateLocation target;
            try
            {
                target = StateLocation.Parse(r.GetValue(to));
            }
            catch (Leakwatch.Core.Errors.LeakwatchException e)
            {
                throw new UsageException(e.Message.Replace(StateLocation.OptionName + ":", "--to:", StringComparison.Ordinal));
            }

            if (target.IsEmbedded)
            {
                throw new UsageException("--to: needs a postgresql:// URL");
            }

            var result = StateMigration.Run(CliContext.ResolveDataDir(r), target, r.GetValue(replace));
            if (r.GetValue(CliContext.Json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(result.Target, StateJson.Default.StateDigest));
            }
            else
            {
                Console.WriteLine($"migrated to {target.Display}{(result.Replaced ? " (replacing what it held)" : "")}: {StateMigration.Describe(result.Target)}");
                Console.WriteLine($"verified: breaches sha256 {result.Target.BreachesSha256[..16]}, reports {result.Target.ReportsSha256[..16]}, keys {result.Target.KeysSha256[..16]} equal in both stores");
                Console.WriteLine($"from now on, run every command with --state {target.Display} (or LEAKWATCH_STATE); catalog.db is left as it was");
            }

            return ExitCodes.Ok;
        }));
        return migrate;
    }
}
