using System.CommandLine;
using System.Globalization;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli;

internal static class GenerateCommand
{
    public static Command Build()
    {
        var records = new Option<long>("--records") { Description = "Number of records", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same bytes)", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Output file (.gz or .zst compresses), or - for standard output", Required = true };
        var format = new Option<string>("--format") { Description = "csv|colon|jsonl", DefaultValueFactory = _ => "csv" };
        var recycleFrom = new Option<string?>("--recycle-from") { Description = "An earlier generated dump whose persons reappear" };
        var recycleRate = new Option<double>("--recycle-rate") { Description = "Fraction of rows recycled from --recycle-from (0-1)", DefaultValueFactory = _ => 0.2 };
        var truthFile = new Option<string?>("--truth") { Description = "Also write the planted emails and phones (JSON) to this file, for tests" };
        var lean = new Option<bool>("--lean")
        {
            Description = "Only the columns ingest reads (phone,email,dob,gender; valid phones proven per number block), "
                + "about 0.4 us of CPU a row: for streamed benchmarks such as bench/big.sh. CSV only; not with --recycle-from or --truth",
        };
        var cmd = new Command("generate", "Write a deterministic synthetic dump shaped like a real scrape, with realistic flaws")
        {
            records, seed, output, format, recycleFrom, recycleRate, truthFile, lean, CliContext.Json,
        };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var shape = r.GetValue(format)!.ToLowerInvariant() switch
            {
                "csv" => DumpShape.Csv,
                "colon" => DumpShape.Colon,
                "jsonl" => DumpShape.JsonLines,
                var other => throw new UsageException($"--format: unknown format '{other}' (csv|colon|jsonl)"),
            };
            var n = r.GetValue(records);
            if (n <= 0)
            {
                throw new UsageException("--records: must be a positive number");
            }

            var rate = r.GetValue(recycleRate);
            if (rate is < 0 or > 1)
            {
                throw new UsageException("--recycle-rate: must be between 0 and 1");
            }

            var from = r.GetValue(recycleFrom);
            if (from is not null && !File.Exists(from))
            {
                throw new UsageException($"--recycle-from: {from}: no such file");
            }

            var options = new GeneratorOptions(n, r.GetValue(seed), shape) { RecycleFrom = from, RecycleRate = from is null ? 0 : rate };
            var truthPath = r.GetValue(truthFile);
            var outPath = r.GetValue(output)!;
            var toStdout = outPath == "-";
            if (toStdout && truthPath is not null)
            {
                // The truth file holds every identifier in memory: fine for tests, not for a billion-row stream.
                throw new UsageException("--truth: not with --out - (write the dump to a file to get its truth file)");
            }

            bool isLean = r.GetValue(lean);
            if (isLean && (shape != DumpShape.Csv || from is not null || truthPath is not null))
            {
                throw new UsageException("--lean: writes CSV only, and not with --recycle-from or --truth");
            }

            var truth = isLean ? GenerateLean(options, outPath)
                : toStdout ? GenerateToStandardOutput(options) : DumpGenerator.Generate(options, outPath, collectIdentifiers: truthPath is not null);
            if (truthPath is not null)
            {
                GeneratorTruthFile.Write(truthPath, truth);
            }

            WriteSummary(truth, toStdout ? null : outPath, r.GetValue(CliContext.Json));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static void WriteSummary(GeneratorTruth truth, string? outPath, bool json)
    {
        // With --out -, standard output is the dump: the summary goes to standard error.
        var summary = outPath is null ? Console.Error : Console.Out;
        if (json)
        {
            summary.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
            {
                rows = truth.Rows,
                duplicateRows = truth.DuplicateRows,
                invalid = new { email = truth.InvalidEmail, phone = truth.InvalidPhone, birthdate = truth.InvalidBirthdate },
                distinct = new { email = truth.DistinctEmails, phone = truth.DistinctPhones },
                recycledRows = truth.RecycledRows,
                plantedRunLength = truth.LongestPlantedRun?.Length,
            }));
        }
        else
        {
            summary.WriteLine($"wrote {truth.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows to {(outPath ?? "standard output")}");
        }
    }

    private static GeneratorTruth GenerateLean(GeneratorOptions options, string outPath)
    {
        using Stream output = outPath == "-" ? Console.OpenStandardOutput() : new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        return DumpGenerator.GenerateLean(options, output);
    }

    private static GeneratorTruth GenerateToStandardOutput(GeneratorOptions options)
    {
        using var stdout = Console.OpenStandardOutput();
        using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false), 1 << 20);
        // A reader that goes away (an ingest that stopped) is an IOException: the CLI's one line, exit 4.
        return DumpGenerator.Generate(options, writer);
    }
}
