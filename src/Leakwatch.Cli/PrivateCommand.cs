using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Ingest;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy.Buckets;
using Spectre.Console;

namespace Leakwatch.Cli;

/// <summary><c>leakwatch private build|resume|status</c>: the private (OPRF) index of private lookups.</summary>
internal static class PrivateCommand
{
    public static readonly Option<int> Memory = new("--memory") { Description = "Memory in MB for the merge before partitioning on disk", DefaultValueFactory = _ => 1024 };
    public static readonly Option<int?> Workers = new("--workers") { Description = "OPRF threads (default: all cores)" };

    public static Command Build()
    {
        var cmd = new Command("private", "The private index behind /api/private (OPRF lookups that do not reveal the identifier)");

        var path = new Argument<string>("path") { Description = "The breach's dump file or directory, as given to ingest" };
        var breach = new Option<string>("--breach") { Description = "Name of a breach already ingested", Required = true };
        var build = new Command("build", "Index an ingested breach privately from a fresh read of its dump (resumable)")
        {
            path, breach, IngestCommand.Region, IngestCommand.Columns, IngestCommand.Delimiter, IngestCommand.NoHeader, IngestCommand.Format, IngestCommand.Encoding, IngestCommand.Table,
            Memory, Workers, CliContext.Json,
        };
        build.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var builder = Builder(r);
            var source = PrivateSources.From(r.GetValue(path)!, IngestCommand.ReaderOptionsFrom(r), r.GetValue(IngestCommand.Region));
            using var cts = IngestCommand.CancelOnCtrlC();
            var result = Run($"Private index: {r.GetValue(breach)}", p => builder.Build(r.GetValue(breach)!, source, p, cts.Token), r.GetValue(CliContext.Json));
            Render(result, r.GetValue(CliContext.Json));
            return ExitCodes.Ok;
        }));
        cmd.Subcommands.Add(build);

        var resume = new Command("resume", "Finish an interrupted private build (ingest --private, private build, keys rotate-oprf)")
        {
            Memory, Workers, CliContext.Json,
        };
        resume.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var builder = Builder(r);
            using var cts = IngestCommand.CancelOnCtrlC();
            var result = Run("Private index: resuming", p => builder.Resume(p, cts.Token), r.GetValue(CliContext.Json));
            Render(result, r.GetValue(CliContext.Json));
            return ExitCodes.Ok;
        }));
        cmd.Subcommands.Add(resume);

        var status = new Command("status", "The published private index and any unfinished build") { CliContext.Json };
        status.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var dataDir = CliContext.ResolveDataDir(r);
            var manifest = new PrivateIndexStore(dataDir).ReadManifest();
            var pending = new PrivateIndexBuilder(dataDir, Privacy.KeyFile.Ephemeral()).Pending;
            if (r.GetValue(CliContext.Json))
            {
                Console.WriteLine(manifest is null ? "null" : JsonSerializer.Serialize(manifest, PrivateOutputJson.Default.PrivateManifest));
                return ExitCodes.Ok;
            }

            if (manifest is null)
            {
                Console.WriteLine("no private index");
            }
            else
            {
                var grid = new Grid().AddColumn().AddColumn();
                grid.AddRow("Generation", manifest.Generation.ToString(CultureInfo.InvariantCulture));
                if (manifest.Withdrawn is { } why)
                {
                    grid.AddRow("Withdrawn", Markup.Escape($"{why}; private lookups answer 503 until `leakwatch keys rotate-oprf` rebuilds it"));
                }

                grid.AddRow("Key id", manifest.KeyId);
                grid.AddRow("Buckets", $"{manifest.Layout().BucketCount:N0} × {manifest.BucketEntries} entries ({DescribeSections(manifest.Sections)})");
                grid.AddRow("Size", $"{manifest.IndexBytes / 1048576.0:F1} MB");
                grid.AddRow("Breaches", Markup.Escape(string.Join(", ", manifest.Breaches.Select(b => $"{b.Name} ({b.Source.Path})"))));
                AnsiConsole.Write(grid);
            }

            if (pending is not null)
            {
                Console.WriteLine(PendingLine(pending, manifest));
            }

            return ExitCodes.Ok;
        }));
        cmd.Subcommands.Add(status);
        return cmd;
    }

    /// <summary>What is left of an unfinished build, worded as `private resume` would act on it.</summary>
    private static string PendingLine(PrivateBuildState pending, PrivateManifest? manifest)
    {
        var breaches = string.Join(", ", pending.Sources.Select(s => s.Breach));
        if (PrivateIndexBuilder.IsUnpublishedIngest(pending))
        {
            // `private resume` answers this with exit 5 and clears the leftover, as the ingest run again does.
            return $"unfinished ingest of {breaches} (if it is not running): {PrivateIndexBuilder.InterruptedIngestMessage(pending.Sources[0].Breach)}";
        }

        return manifest is not null && string.Equals(pending.PublishedChecksum, manifest.Checksum, StringComparison.Ordinal)
            ? $"unfinished {pending.Kind} build of {breaches}: published; `leakwatch private resume` only cleans up"
            : $"unfinished {pending.Kind} build of {breaches}: run `leakwatch private resume`";
    }

    public static PrivateIndexBuilder Builder(ParseResult r)
    {
        var options = new PrivateBuildOptions { MemoryMegabytes = Math.Max(16, r.GetValue(Memory)) };
        if (r.GetValue(Workers) is { } w)
        {
            options = options with { Workers = Math.Clamp(w, 1, 256) };
        }

        return new PrivateIndexBuilder(CliContext.ResolveDataDir(r), CliContext.LoadKeys(r, create: false), options, CliContext.ResolveState(r));
    }

    /// <summary>Runs a build with a progress bar on a terminal; Ctrl-C leaves it resumable.</summary>
    public static PrivateBuildResult Run(string label, Func<IProgress<PrivateBuildProgress>?, PrivateBuildResult> work, bool quiet)
    {
        try
        {
            return ProgressView.RunPrivate(label, work, quiet);
        }
        catch (OperationCanceledException)
        {
            throw new PrivateBuildException("interrupted; the published indexes are unchanged and `leakwatch private resume` continues from the last checkpoint",
                Leakwatch.Core.Errors.ErrorKind.Interrupted);
        }
    }

    public static void Render(PrivateBuildResult result, bool json)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, PrivateOutputJson.Default.PrivateBuildResult));
            foreach (var w in result.Warnings)
            {
                Console.Error.WriteLine($"leakwatch: warning: {w}");
            }

            return;
        }

        RenderTable(result);
    }

    /// <summary>"email 2^7, +44 2^5, …": each section's bucket bits.</summary>
    private static string DescribeSections(List<Privacy.Buckets.PrivateManifestSection> sections) =>
        string.Join(", ", sections.Select(x => x.Code == 0 ? $"email 2^{x.Bits}" : $"+{x.Code} 2^{x.Bits}"));

    public static void RenderTable(PrivateBuildResult s)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]private index[/] generation {s.Generation}");
        t.AddColumn("figure");
        t.AddColumn(new TableColumn("value").RightAligned());
        t.AddRow("breaches", Markup.Escape(string.Join(", ", s.Breaches)));
        t.AddRow("key id", s.KeyId);
        t.AddRow("identifiers indexed", s.Indexed.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("buckets", $"{s.BucketCount:N0} × {s.BucketEntries} entries ({DescribeSections(s.Sections)})");
        t.AddRow("real entries", s.RealEntries.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("OPRF chunks (resumed)", $"{s.Chunks:N0} ({s.ChunksResumed:N0})");
        t.AddRow("OPRF", $"{s.Evaluated:N0} in {s.EvaluateSeconds:F1} s ({s.IdentifiersPerSecond:N0} identifiers/s)");
        t.AddRow("time", $"{s.Seconds:F1} s");
        AnsiConsole.Write(t);
        foreach (var w in s.Warnings)
        {
            AnsiConsole.MarkupLine($"[yellow]warning[/] {Markup.Escape(w)}");
        }
    }
}
