using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Core;
using Leakwatch.Passwords;
using Spectre.Console;

namespace Leakwatch.Cli;

/// <summary><c>leakwatch ingest-passwords FILE… [--mode sha1|ntlm|plain] [--json]</c>: loads Pwned Passwords data.</summary>
internal static class PasswordsCommand
{
    public static Command Build()
    {
        var files = new Argument<string[]>("files")
        {
            Description = "HIBP corpus files (HASH:COUNT lines) or, with --mode plain, password lists; .gz/.zst read transparently",
            Arity = ArgumentArity.OneOrMore,
        };
        var mode = new Option<string?>("--mode") { Description = "sha1|ntlm|plain (default: from the first line's hash length, 40 or 32 hex)" };
        var memory = new Option<int>("--memory") { Description = "Sort memory in MB before spilling a sorted run to disk", DefaultValueFactory = _ => 256 };
        var cmd = new Command("ingest-passwords", "Load Pwned Passwords hashes (or a plaintext list) into the password range store; counts add up")
        {
            files, mode, memory, CliContext.Json,
        };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var inputMode = (r.GetValue(mode) ?? "auto").ToLowerInvariant() switch
            {
                "auto" => PasswordInputMode.Auto,
                "sha1" => PasswordInputMode.Sha1,
                "ntlm" => PasswordInputMode.Ntlm,
                "plain" => PasswordInputMode.Plain,
                var other => throw new UsageException($"--mode: unknown mode '{other}' (sha1|ntlm|plain)"),
            };
            var json = r.GetValue(CliContext.Json);
            var dataDir = CliContext.ResolveDataDir(r);
            var options = new PasswordIngestOptions { RunBytes = (long)Math.Max(1, r.GetValue(memory)) << 20 };
            using var cts = IngestCommand.CancelOnCtrlC();
            var stats = Run(dataDir, r.GetValue(files)!, inputMode, options, json, cts.Token);

            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(stats, PasswordsJson.Default.PasswordIngestStats));
            }
            else
            {
                Render(stats);
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static PasswordIngestStats Run(string dataDir, string[] files, PasswordInputMode mode, PasswordIngestOptions options, bool quiet, CancellationToken ct)
    {
        if (quiet || !LeakwatchCli.Interactive)
        {
            return PasswordIngest.Run(dataDir, files, mode, options, null, ct);
        }

        PasswordIngestStats result = null!;
        AnsiConsole.Status().Start("Ingesting passwords", ctx =>
        {
            var progress = new SyncProgress<long>(lines => ctx.Status($"Ingesting passwords: {lines.ToString("N0", CultureInfo.InvariantCulture)} lines read"));
            result = PasswordIngest.Run(dataDir, files, mode, options, progress, ct);
        });
        return result;
    }

    private static void Render(PasswordIngestStats s)
    {
        static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]passwords[/] ingested ({Markup.Escape(s.Mode)})");
        t.AddColumn("figure");
        t.AddColumn(new TableColumn("value").RightAligned());
        t.AddRow("files", N(s.Files));
        t.AddRow("lines / valid / blank / malformed", $"{N(s.Lines)} / {N(s.ValidLines)} / {N(s.BlankLines)} / {N(s.MalformedLines)}");
        t.AddRow("count added", N(s.CountAdded));
        t.AddRow("new SHA-1 / NTLM hashes", $"{N(s.NewSha1Hashes)} / {N(s.NewNtlmHashes)}");
        t.AddRow("stored SHA-1 / NTLM hashes", $"{N(s.Sha1Hashes)} / {N(s.NtlmHashes)}");
        t.AddRow("sorted runs spilled", N(s.SpilledRuns));
        t.AddRow("generation", N(s.Generation));
        t.AddRow("time", $"{s.Seconds:F1} s");
        AnsiConsole.Write(t);
        foreach (var p in s.MalformedSamples)
        {
            AnsiConsole.MarkupLine($"[yellow]malformed[/] {Markup.Escape(p)}");
        }
    }
}
