using System.CommandLine;
using System.Globalization;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Ingest;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy;
using Leakwatch.Synthetic;
using Spectre.Console;

namespace Leakwatch.Cli;

/// <summary>Generates an older scrape and a newer, partly recycled leak, ingests both and shows lookups.</summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var records = new Option<long>("--records") { Description = "Records per dump", DefaultValueFactory = _ => 200_000 };
        var urls = new Option<string>("--urls") { Description = "Where the demo server listens", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var noServe = new Option<bool>("--no-serve") { Description = "Stop after the lookups instead of serving the API" };
        var cmd = new Command("demo", "Generate two synthetic leaks, ingest them, show example lookups, then serve the API (data dir default: ./demo)")
        {
            records, urls, noServe,
        };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var dataDir = Path.GetFullPath(r.GetValue(CliContext.DataDir) ?? "demo");
            var keyPath = r.GetValue(CliContext.KeyFilePath) ?? KeyFile.DefaultPathFor(dataDir);
            KeyFileLocation.EnsureOutsideDataDir(keyPath, dataDir);
            ResetDemoDir(dataDir, keyPath);
            var keys = KeyFile.Create(keyPath);
            var n = r.GetValue(records);
            var work = Directory.CreateTempSubdirectory("leakwatch-demo-");
            try
            {
                AnsiConsole.MarkupLine($"[bold]Leakwatch demo[/]: two synthetic leaks of {n:N0} records each");
                var olderPath = Path.Combine(work.FullName, "scrape-2019.txt");
                var newerPath = Path.Combine(work.FullName, "leak-2025.csv.gz");
                var older = Generate("older phone-enumeration scrape (colon-delimited, 533M style)",
                    new GeneratorOptions(n, 2019, DumpShape.Colon), olderPath);
                var newer = Generate("newer leak (CSV, gzip, 30% recycled from the scrape)",
                    new GeneratorOptions(n, 2025, DumpShape.Csv) { RecycleFrom = olderPath, RecycleRate = 0.3 }, newerPath);

                var (s1, s2) = IngestBoth(dataDir, keys, olderPath, newerPath);
                IngestCommand.RenderStats(s1);
                IngestCommand.RenderStats(s2);

                var examples = PickExamples(older, newer);
                ShowExampleLookups(dataDir, keys, examples);
                var prefix = r.GetValue(CliContext.DataDir) is null ? "./leakwatch --data-dir demo" : $"./leakwatch --data-dir {dataDir}";
                AnsiConsole.MarkupLine($"Try it: [bold]{Markup.Escape(prefix)} check \"{Markup.Escape(examples[0])}\"[/]  ·  [bold]{Markup.Escape(prefix)} breaches[/]");

                var secret = SeedPasswordsAndApiKey(dataDir, work.FullName);

                if (r.GetValue(noServe))
                {
                    return ExitCodes.Ok;
                }

                var url = r.GetValue(urls)!;
                var escaped = Uri.EscapeDataString(examples[0]);
                AnsiConsole.MarkupLine($"\n[bold]Serving[/] {Markup.Escape(url)}/  (the page; breaches: {Markup.Escape(url)}/breaches, API reference: {Markup.Escape(url)}/scalar, report: {Markup.Escape(url)}/breaches/FacebookClaim2025/report)");
                AnsiConsole.MarkupLine($"Demo API key: [bold]{secret}[/]");
                Console.WriteLine($"curl -H 'hibp-api-key: {secret}' -H 'user-agent: demo' '{url}/api/v3/breachedaccount/{escaped}?truncateResponse=false'");
                Console.WriteLine($"curl '{url}/range/5BAA6'");
                Console.WriteLine("Press Ctrl+C to stop.");
                var serverOptions = new Leakwatch.Server.ServerOptions { DataDir = dataDir, KeyFilePath = keyPath, Urls = url };
                ServeCommand.PrepareProcess(serverOptions);
                Leakwatch.Server.LeakwatchServer.RunAsync(serverOptions).GetAwaiter().GetResult();
                return ExitCodes.Ok;
            }
            finally
            {
                // The dumps hold (synthetic) plaintext identifiers; they never stay on disk.
                work.Delete(recursive: true);
            }
        }));
        return cmd;
    }

    /// <summary>Ingests the older scrape, then the newer leak, each with its private index.</summary>
    private static (IngestStats Older, IngestStats Newer) IngestBoth(string dataDir, KeyFile keys, string olderPath, string newerPath)
    {
        var pipeline = new IngestPipeline(new ExposureIndexStore(dataDir), keys);
        var columns = new[] { "phone", "uid", "first_name", "last_name", "gender", "city", "country", "relationship", "employer", "email", "dob" };
        var s1 = IngestWithPrivateIndex(dataDir, keys, pipeline, olderPath, new IngestOptions
        {
            BreachName = "FacebookScrape2019",
            Title = "Facebook phone-number scrape (synthetic)",
            BreachDate = new DateOnly(2019, 8, 1),
            Domain = "facebook.com",
            Reader = new Leakwatch.Reading.ReaderOptions { Columns = columns },
        });
        var s2 = IngestWithPrivateIndex(dataDir, keys, pipeline, newerPath, new IngestOptions
        {
            BreachName = "FacebookClaim2025",
            Title = "\"1.2 billion Facebook records\" claim (synthetic)",
            BreachDate = new DateOnly(2025, 5, 1),
            Domain = "facebook.com",
        });
        return (s1, s2);
    }

    private static void ShowExampleLookups(string dataDir, KeyFile keys, List<string> examples)
    {
        using var lookup = ExposureLookup.Open(dataDir, keys);
        var phones = new PhoneNormalizer(null);
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]Example lookups[/]");
        t.AddColumns("account (synthetic)", "breaches");
        foreach (var account in examples)
        {
            var found = lookup.TryKey(account, phones, out var key) == AccountKind.Invalid ? [] : lookup.Find(key).ConvertAll(b => b.Name);
            t.AddRow(Markup.Escape(account), found.Count == 0 ? "[green]none[/]" : Markup.Escape(string.Join(", ", found)));
        }

        AnsiConsole.Write(t);
    }

    /// <summary>Common passwords for the Pwned Passwords range API, and a key for the account API; returns the key's secret.</summary>
    private static string SeedPasswordsAndApiKey(string dataDir, string workDir)
    {
        var passwords = Path.Combine(workDir, "passwords.txt");
        File.WriteAllLines(passwords, ["password", "password", "123456", "123456", "123456", "qwerty", "letmein", "iloveyou", "dragon"]);
        Leakwatch.Passwords.PasswordIngest.Run(dataDir, [passwords], Leakwatch.Passwords.PasswordInputMode.Plain);
        string secret;
        using (var keyStore = Leakwatch.Catalog.State.StateStore.Open(Leakwatch.Catalog.State.StateLocation.Embedded, dataDir))
        {
            secret = keyStore.CreateKey("demo", 600, DateTimeOffset.UtcNow).Secret;
        }

        return secret;
    }

    /// <summary>`ingest --private`, as the CLI runs it: the plain index publishes, then the OPRF phase builds the
    /// private index, so the page's private lookup box works in the demo too.</summary>
    private static IngestStats IngestWithPrivateIndex(string dataDir, KeyFile keys, IngestPipeline pipeline, string path, IngestOptions options)
    {
        var builder = new PrivateIndexBuilder(dataDir, keys, new PrivateBuildOptions { MemoryMegabytes = options.SortMemoryMegabytes });
        var spill = builder.BeginIngest(options.BreachName, PrivateSources.From(path, options.Reader, options.Region));
        IngestStats stats;
        try
        {
            stats = ProgressView.Run($"Ingesting {options.BreachName}", p => pipeline.Run(path, options with { PrivateSpill = spill }, p), quiet: false);
        }
        catch
        {
            spill.Abandon();
            throw;
        }

        stats.Private = PrivateCommand.Run($"Private index: {options.BreachName}", p => builder.Resume(p, CancellationToken.None), quiet: false);
        return stats;
    }

    private static GeneratorTruth Generate(string label, GeneratorOptions options, string path)
    {
        GeneratorTruth truth = default!;
        if (LeakwatchCli.Interactive)
        {
            AnsiConsole.Status().Start($"Generating {label}…", _ => truth = DumpGenerator.Generate(options, path, collectIdentifiers: true));
        }
        else
        {
            truth = DumpGenerator.Generate(options, path, collectIdentifiers: true);
        }

        AnsiConsole.MarkupLine($"  generated {Markup.Escape(label)}: {truth.Rows:N0} rows");
        return truth;
    }

    /// <summary>A phone in both leaks, an email only in the newer, and a number in neither.</summary>
    private static List<string> PickExamples(GeneratorTruth older, GeneratorTruth newer)
    {
        var list = new List<string>();
        foreach (var p in older.Phones!)
        {
            if (newer.Phones!.Contains(p))
            {
                list.Add(FormatSpaced(p));
                break;
            }
        }

        foreach (var e in newer.Emails!)
        {
            if (!older.Emails!.Contains(e))
            {
                list.Add(e);
                break;
            }
        }

        foreach (var p in newer.Phones!)
        {
            if (!older.Phones!.Contains(p))
            {
                list.Add("+" + p.ToString(CultureInfo.InvariantCulture));
                break;
            }
        }

        list.Add("nobody@example.org");
        return list;
    }

    /// <summary>Shows that lookups accept phones as people type them, not only E.164.</summary>
    private static string FormatSpaced(ulong e164)
    {
        var s = e164.ToString(CultureInfo.InvariantCulture);
        return s.Length > 6 ? $"+{s[..2]} {s[2..6]} {s[6..]}" : "+" + s;
    }

    private static void ResetDemoDir(string dataDir, string keyPath)
    {
        if (Directory.Exists(dataDir))
        {
            var looksOurs = File.Exists(Path.Combine(dataDir, ExposureIndexStore.ManifestName)) || !Directory.EnumerateFileSystemEntries(dataDir).Any();
            if (!looksOurs)
            {
                throw new UsageException($"{dataDir}: exists and is not a Leakwatch data dir; refusing to reset it for the demo");
            }

            Directory.Delete(dataDir, recursive: true);
        }

        if (File.Exists(keyPath))
        {
            File.Delete(keyPath);
        }
    }
}
