using System.CommandLine;
using Leakwatch.Ingest;
using Leakwatch.Privacy;

namespace Leakwatch.Cli;

internal static class FsckCommand
{
    public static Command Build()
    {
        var cmd = new Command("fsck", "Verify the data dir: manifests, index and private index checksums and order, catalogue, key ids, password store") { CliContext.Json };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var keyPath = CliContext.ResolveKeyFile(r);
            var keys = File.Exists(keyPath) ? KeyFile.Load(keyPath) : null;
            var problems = DataDirMaintenance.Fsck(CliContext.ResolveDataDir(r), keys);
            problems.AddRange(Leakwatch.Passwords.PasswordRangeStore.Fsck(CliContext.ResolveDataDir(r)));
            if (keys is null)
            {
                problems.Add($"{keyPath}: key file not found (lookups are impossible without it)");
            }

            if (r.GetValue(CliContext.Json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(problems));
            }
            else
            {
                foreach (var p in problems)
                {
                    Console.Error.WriteLine($"leakwatch: fsck: {p}");
                }

                if (problems.Count == 0)
                {
                    Console.WriteLine("ok: manifest, index and catalogue are consistent");
                }

                if (File.Exists(Path.Combine(CliContext.ResolveDataDir(r), "private", "build", "state.json")))
                {
                    Console.Error.WriteLine("leakwatch: fsck: note: an unfinished private build is waiting; `leakwatch private resume` finishes it");
                }
            }

            return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.DataDir;
        }));
        return cmd;
    }
}
