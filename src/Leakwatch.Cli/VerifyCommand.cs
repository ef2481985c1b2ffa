using System.CommandLine;
using Leakwatch.Analysis;
using Leakwatch.Index;
using Leakwatch.Ingest;
using Leakwatch.Privacy;

namespace Leakwatch.Cli;

/// <summary>`leakwatch verify`: the evidence report for a dump, without ingesting it.</summary>
internal static class VerifyCommand
{
    public static Command Build()
    {
        var path = new Argument<string>("path") { Description = "Dump file or directory" };
        var sample = new Option<int?>("--sample") { Description = "Analyse a seeded reservoir sample of N rows (95% intervals where the sample supports one)" };
        var seed = new Option<long>("--seed") { Description = "Sample seed", DefaultValueFactory = _ => 1 };
        var against = new Option<string>("--against") { Description = "Earlier breaches to compare with: all, or NAME,NAME…", DefaultValueFactory = _ => "all" };
        var html = new Option<string?>("--html") { Description = "Also write the self-contained HTML report to this file" };
        var domain = new Option<string?>("--domain") { Description = "The domain the dump is claimed to come from (flags mismatches)" };
        var breach = new Option<string?>("--breach") { Description = "Name to show for the dump in the report" };
        var memory = new Option<int>("--memory") { Description = "Sort memory in MB before spilling (sealed) to a private temp dir", DefaultValueFactory = _ => 1024 };
        var cmd = new Command("verify", "Analyse a dump and report whether it looks real, recycled, fabricated or scraped by enumeration")
        {
            path, sample, seed, against, html, domain, breach, memory, IngestCommand.Region, IngestCommand.Columns, IngestCommand.Delimiter,
            IngestCommand.NoHeader, IngestCommand.DateOrderOption, IngestCommand.Format, IngestCommand.Encoding, IngestCommand.Table, CliContext.Json,
        };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var dataDir = CliContext.ResolveDataDir(r);
            var store = new ExposureIndexStore(dataDir);
            var manifest = store.Exists ? store.ReadManifest() : Manifest.Empty;
            var keyPath = CliContext.ResolveKeyFile(r);
            var keys = manifest.Breaches.Length == 0 && !File.Exists(keyPath) ? KeyFile.Ephemeral() : KeyFile.Load(keyPath);
            var wanted = ParseAgainst(r.GetValue(against)!);
            var reader = IngestCommand.ReaderOptionsFrom(r);
            var name = r.GetValue(breach) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(r.GetValue(path)!));
            var pipeline = new IngestPipeline(store, keys, CliContext.ResolveState(r));
            var options = new IngestOptions
            {
                BreachName = SafeName(name),
                Domain = r.GetValue(domain),
                Region = r.GetValue(IngestCommand.Region),
                DateOrder = IngestCommand.ParseDateOrder(r.GetValue(IngestCommand.DateOrderOption)),
                Reader = reader,
                CompareWith = wanted,
                SortMemoryMegabytes = Math.Max(1, r.GetValue(memory)),
            };
            using var cts = IngestCommand.CancelOnCtrlC();
            VerificationReport report;
            if (r.GetValue(sample) is { } size)
            {
                if (size < 100)
                {
                    throw new UsageException("--sample: use at least 100 rows");
                }

                report = pipeline.VerifySample(r.GetValue(path)!, options, new SampleOptions
                {
                    Size = size,
                    Seed = r.GetValue(seed),
                    Region = options.Region,
                    DateOrder = options.DateOrder,
                    ClaimedDomain = options.Domain,
                    Breach = name,
                }, cts.Token);
            }
            else
            {
                var json = r.GetValue(CliContext.Json);
                var stats = ProgressView.Run($"Verifying {name}", p => pipeline.Verify(r.GetValue(path)!, options, p, cts.Token), json);
                report = stats.Report!;
            }

            if (r.GetValue(html) is { } htmlPath)
            {
                File.WriteAllText(htmlPath, ReportHtml.Render(report));
            }

            Console.WriteLine(r.GetValue(CliContext.Json) ? ReportJson.Serialize(report) : ReportMarkdown.Render(report));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static HashSet<string>? ParseAgainst(string text) =>
        string.Equals(text.Trim(), "all", StringComparison.OrdinalIgnoreCase)
            ? null
            : new HashSet<string>(text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);

    /// <summary>The report only labels the dump; any file name becomes a valid label.</summary>
    private static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(64).ToArray();
        return chars.Length == 0 ? "dump" : new string(chars);
    }
}
