using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Export;

namespace Leakwatch.Cli;

/// <summary><c>leakwatch export --out DIR [--threads N] [--json]</c>: the static copy of what needs no server.</summary>
internal static class ExportCommand
{
    public static Command Build()
    {
        var outDir = new Option<string>("--out")
        {
            Description = "Export directory (created if missing); a later export into it rewrites only what changed",
            Required = true,
        };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: one per core)" };
        var cmd = new Command("export", "Write the password ranges (SHA-1 and NTLM, with .gz siblings), the private buckets, an ETag manifest and header files for static hosting")
        {
            outDir, threads, CliContext.Json,
        };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var cts = IngestCommand.CancelOnCtrlC();
            var result = StaticExport.Run(new ExportOptions
            {
                DataDir = CliContext.ResolveDataDir(r),
                KeyFilePath = CliContext.ResolveKeyFile(r),
                OutDir = r.GetValue(outDir)!,
                Threads = Math.Max(0, r.GetValue(threads)),
            }, cts.Token);
            if (r.GetValue(CliContext.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, ExportJson.Default.ExportResult));
            }
            else
            {
                var s = CultureInfo.InvariantCulture;
                var privatePart = result.PrivateGeneration is { } g ? string.Create(s, $", private generation {g} ({result.PrivateBuckets:N0} buckets)") : "";
                Console.WriteLine(string.Create(s,
                    $"export: {result.Written:N0} files written, {result.Unchanged:N0} unchanged, {result.Removed:N0} removed in {result.Seconds:F1} s (passwords generation {result.PasswordGeneration}{privatePart}; paths in {ExportLayout.ChangedName})"));
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
