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
            var dataDir = CliContext.ResolveDataDir(r);
            var state = CliContext.ResolveState(r);
            var problems = DataDirMaintenance.Fsck(dataDir, keys, state);
            problems.AddRange(Leakwatch.Passwords.PasswordRangeStore.Fsck(dataDir));
            ReportOrphans(dataDir);
            ReportRetained(dataDir);
            ReportUnpublishedRows(dataDir, state);
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

    /// <summary>Breach rows an interrupted ingest left unpublished are never shown: a note, not a failure.</summary>
    private static void ReportUnpublishedRows(string dataDir, Leakwatch.Catalog.State.StateLocation state)
    {
        List<int> ids;
        try
        {
            ids = StateCheck.Unpublished(dataDir, state, new Leakwatch.Index.ExposureIndexStore(dataDir).ReadManifest());
        }
        catch (Leakwatch.Core.Errors.LeakwatchException)
        {
            return; // already a problem in the list
        }

        if (ids.Count > 0)
        {
            Console.Error.WriteLine($"leakwatch: fsck: note: {ids.Count} unpublished breach row(s) (ids {string.Join(", ", ids)}) left by an interrupted ingest; the next ingest or remove deletes them");
        }
    }

    /// <summary>Replaced generations kept for replicas that may still read them (--retain-generations): expected, so
    /// notes on stderr with their size and when the next write may delete them; they do not fail fsck.</summary>
    private static void ReportRetained(string dataDir)
    {
        long total = 0;
        var retained = RetainedGenerations.Find(dataDir);
        foreach (var (file, expires) in retained)
        {
            var bytes = File.Exists(file) ? new FileInfo(file).Length : 0;
            total += bytes;
            Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"leakwatch: fsck: note: retained generation {file} ({bytes} bytes), replaced by a publish; deleted by the first write after {expires.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z"));
        }

        if (retained.Count > 0)
        {
            Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"leakwatch: fsck: note: {retained.Count} retained generation file(s), {total} bytes, kept for replicas still reading them (--retain-generations)"));
        }
    }

    /// <summary>Leftovers of an interrupted run are not damage (the next write sweeps them), so they are notes on
    /// stderr, one per file with its size, and do not fail fsck.</summary>
    private static void ReportOrphans(string dataDir)
    {
        List<string> orphans;
        try
        {
            orphans = OrphanedFiles.Find(dataDir);
        }
        catch (Leakwatch.Core.Errors.LeakwatchException)
        {
            return; // an unreadable manifest is already a problem in the list
        }

        var passwordsDir = Path.Combine(Path.GetFullPath(dataDir), "passwords") + Path.DirectorySeparatorChar;
        foreach (var file in orphans)
        {
            var bytes = File.Exists(file) ? new FileInfo(file).Length : 0;
            var sweepers = Path.GetFullPath(file).StartsWith(passwordsDir, StringComparison.Ordinal) ? "ingest, remove or ingest-passwords" : "ingest or remove";
            Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"leakwatch: fsck: note: orphaned file {file} ({bytes} bytes) left by an interrupted run; the next {sweepers} deletes it"));
        }
    }
}
