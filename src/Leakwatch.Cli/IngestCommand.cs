using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Ingest;
using Leakwatch.Ingest.Private;
using Leakwatch.Reading;
using Spectre.Console;

namespace Leakwatch.Cli;

internal static class IngestCommand
{
    public static readonly Option<string?> Region = KnownRegion(new("--region") { Description = "Default region (ISO 3166, e.g. GB) for national-format phone numbers" });
    public static readonly Option<string?> Columns = new("--columns") { Description = "Column names for a headerless file, comma-separated (e.g. phone,uid,first_name,email)" };
    public static readonly Option<string?> Delimiter = new("--delimiter") { Description = "Field delimiter: one character, or comma|semicolon|tab|pipe|colon (default: sniffed)" };
    private static readonly Option<bool> Privately = new("--private") { Description = "Also index the breach for private (OPRF) lookups; the plain index publishes first" };

    /// <summary>Domain store (issue 16): built in the same pass unless turned off.</summary>
    public static readonly Option<bool> NoDomainStore = new("--no-domain-store") { Description = "Do not add this breach's addresses to the domain store (domain search will not see them)" };
    public static readonly Option<bool> NoHeader = new("--no-header") { Description = "The first row is data, not a header" };
    public static readonly Option<string?> DateOrderOption = new("--date-order") { Description = "How to read ambiguous dates: auto|dmy|mdy|ymd (default auto)" };
    public static readonly Option<string?> Format = new("--format") { Description = "Input format: auto|delimited|json|jsonl|sql|ulp (default auto; json reads JSON Lines or one array of objects; ulp reads stealer-log URL:login:password lines and is never guessed)" };
    public static readonly Option<string?> Encoding = new("--encoding") { Description = "Text encoding of every file: utf-8, utf-16le, utf-16be, windows-1252, latin1 or another code page name (default: detected per file)" };
    public static readonly Option<string?> Table = new("--table") { Description = "SQL dumps: the table to read (default: the first with an email or phone column)" };

    /// <summary>Refuses an unknown region while parsing, naming it, for every command that takes --region.</summary>
    private static Option<string?> KnownRegion(Option<string?> option)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (!string.IsNullOrWhiteSpace(value) && !Leakwatch.Core.PhoneNormalizer.IsKnownRegion(value))
            {
                result.AddError($"--region: unknown phone region '{value}': expected an ISO 3166 alpha-2 country code such as US, GB or DE");
            }
        });
        return option;
    }

    public static Command Build()
    {
        var path = new Argument<string>("path") { Description = "Dump file or directory (.csv/.txt/.jsonl/.json/.sql, optionally .gz/.zst), or - for standard input" };
        var breach = new Option<string>("--breach") { Description = "Breach name (letters, digits, - _ .)", Required = true };
        var title = new Option<string?>("--title") { Description = "Breach title (default: the name)" };
        var date = new Option<string?>("--date") { Description = "Breach date YYYY-MM-DD (default: today)" };
        var domain = new Option<string?>("--domain") { Description = "Domain of the breached service" };
        var description = new Option<string?>("--description") { Description = "Description (HTML allowed, as in HIBP)" };
        var memory = new Option<int>("--memory") { Description = "Sort memory in MB before spilling to disk", DefaultValueFactory = _ => 1024 };
        var workers = new Option<int?>("--workers") { Description = "Normalization threads beside the reader (default: cores - 1); parallel parsing runs workers + 1 parsing threads" };
        var parse = new Option<string?>("--parse") { Description = "Who parses: auto (parallel on 3+ cores), single (one reader thread feeds the workers) or parallel (every worker parses chunks); same results" };
        var cmd = new Command("ingest", "Load a dump into the exposure index as one breach")
        {
            path, breach, title, date, domain, description, Region, Columns, Delimiter, NoHeader, DateOrderOption, Format, Encoding, Table, memory, workers, Privately, parse, NoDomainStore, CliContext.Json,
        };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var options = new IngestOptions
            {
                BreachName = r.GetValue(breach)!,
                Title = r.GetValue(title),
                BreachDate = ParseDate(r.GetValue(date)),
                Domain = r.GetValue(domain),
                Description = r.GetValue(description),
                Region = r.GetValue(Region),
                DateOrder = ParseDateOrder(r.GetValue(DateOrderOption)),
                Reader = ReaderOptionsFrom(r),
                SortMemoryMegabytes = Math.Max(1, r.GetValue(memory)),
                Parse = ParseModeFrom(r.GetValue(parse)),
                DomainStore = !r.GetValue(NoDomainStore),
            };
            if (r.GetValue(workers) is { } w)
            {
                options = options with { Workers = Math.Clamp(w, 1, 64) };
            }
            var json = r.GetValue(CliContext.Json);
            var dataDir = CliContext.ResolveDataDir(r);
            var keys = CliContext.LoadKeys(r, create: true);
            var state = CliContext.ResolveState(r);
            var pipeline = new IngestPipeline(new ExposureIndexStore(dataDir), keys, state);
            using var cts = CancelOnCtrlC();
            PrivateIndexBuilder? builder = null;
            PrivateSpillSession? spill = null;
            if (r.GetValue(Privately))
            {
                IngestPipeline.ValidateName(options.BreachName);
                builder = new PrivateIndexBuilder(dataDir, keys, new PrivateBuildOptions { MemoryMegabytes = options.SortMemoryMegabytes }, state);
                if (builder.IsResumableIngest(options.BreachName))
                {
                    // The same command after a kill in the private phase: the breach is published; finish its private index.
                    Console.Error.WriteLine($"leakwatch: {options.BreachName} is already ingested; resuming its private index build");
                    var resumed = StoredStats(dataDir, state, options.BreachName);
                    resumed.Private = PrivateCommand.Run($"Private index: {options.BreachName}", p => builder.Resume(p, cts.Token), json);
                    Print(resumed, json);
                    return ExitCodes.Ok;
                }

                spill = builder.BeginIngest(options.BreachName, PrivateSources.From(r.GetValue(path)!, options.Reader, options.Region));
                options = options with { PrivateSpill = spill };
            }

            IngestStats stats;
            try
            {
                stats = ProgressView.Run($"Ingesting {options.BreachName}", p => pipeline.Run(r.GetValue(path)!, options, p, cts.Token), json);
            }
            catch
            {
                spill?.Abandon();
                throw;
            }

            if (builder is not null)
            {
                stats.Private = BuildPrivateIndex(builder, options.BreachName, json, cts.Token);
            }

            Print(stats, json);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>The plain index is published and served; the OPRF phase runs now, resumable if interrupted.</summary>
    private static PrivateBuildResult BuildPrivateIndex(PrivateIndexBuilder builder, string breachName, bool json, CancellationToken ct)
    {
        try
        {
            return PrivateCommand.Run($"Private index: {breachName}", p => builder.Resume(p, ct), json);
        }
        catch (IndexBusyException e)
        {
            throw new PrivateBuildException($"{breachName} is ingested and served, but its private index waits: {e.Message}; run `leakwatch private resume` once it is free");
        }
        catch (PrivateBuildException e) when (e.Kind == Leakwatch.Core.Errors.ErrorKind.DataDir && builder.Pending is not null)
        {
            // A full disk in the OPRF phase or the merge: the breach is published; its build is kept for resume.
            throw new PrivateBuildException($"{breachName} is ingested and served, but its private index waits: {e.Message}");
        }
    }

    private static void Print(IngestStats stats, bool json)
    {
        if (stats.Notifications?.Error is { } notifyError)
        {
            Console.Error.WriteLine($"leakwatch: warning: {notifyError}");
        }

        if (stats.DomainAlerts?.Error is { } domainError)
        {
            Console.Error.WriteLine($"leakwatch: warning: {domainError}"); // domain alerts
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(stats, IngestJson.Default.IngestStats));
            foreach (var w in stats.Private?.Warnings ?? [])
            {
                Console.Error.WriteLine($"leakwatch: warning: {w}");
            }
        }
        else
        {
            RenderStats(stats);
            if (stats.Private is not null)
            {
                PrivateCommand.RenderTable(stats.Private);
            }
        }
    }

    /// <summary>The statistics an earlier run of this ingest stored with the breach.</summary>
    private static IngestStats StoredStats(string dataDir, Leakwatch.Catalog.State.StateLocation state, string breach)
    {
        using var catalog = Leakwatch.Catalog.State.StateStore.OpenReadOnly(state, dataDir);
        if (catalog is not null)
        {
            var b = catalog.AllBreaches().Find(x => string.Equals(x.Name, breach, StringComparison.OrdinalIgnoreCase));
            if (b?.StatsJson is { } text && JsonSerializer.Deserialize(text, IngestJson.Default.IngestStats) is { } stored)
            {
                return stored;
            }
        }

        return new IngestStats { Breach = breach };
    }

    private static ParseMode ParseModeFrom(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => ParseMode.Auto,
        "single" => ParseMode.SingleReader,
        "parallel" => ParseMode.Parallel,
        _ => throw new UsageException($"--parse: expected auto, single or parallel, not '{value}'"),
    };

    public static ReaderOptions ReaderOptionsFrom(ParseResult r)
    {
        var columns = r.GetValue(Columns);
        return new ReaderOptions
        {
            Delimiter = ParseDelimiter(r.GetValue(Delimiter)),
            HasHeader = r.GetValue(NoHeader) ? false : null,
            Columns = columns is null ? null : columns.Split(',', StringSplitOptions.TrimEntries),
            Format = (r.GetValue(Format) ?? "auto").ToLowerInvariant() switch
            {
                "auto" => DumpFormat.Auto,
                "delimited" or "csv" => DumpFormat.Delimited,
                "jsonl" or "json" => DumpFormat.JsonLines,
                "sql" => DumpFormat.Sql,
                "ulp" => DumpFormat.Ulp,
                var other => throw new UsageException($"--format: unknown format '{other}' (auto|delimited|json|jsonl|sql|ulp)"),
            },
            Table = string.IsNullOrWhiteSpace(r.GetValue(Table)) ? null : r.GetValue(Table)!.Trim(),
            Encoding = ParseEncoding(r.GetValue(Encoding)),
        };
    }

    /// <summary>A name <see cref="DumpEncoding.TryParse"/> knows, as given (the reader parses it again per file);
    /// null or "auto" = detect.</summary>
    private static string? ParseEncoding(string? name) =>
        name is null || string.Equals(name.Trim(), "auto", StringComparison.OrdinalIgnoreCase) ? null
        : DumpEncoding.TryParse(name, out _) ? name.Trim()
        : throw new UsageException($"--encoding: unknown encoding '{name}' (known: {DumpEncoding.KnownNames})");

    public static DateOrder ParseDateOrder(string? text) =>
        text is null ? DateOrder.Auto
        : BirthDateParser.TryParseOrder(text, out var order) ? order
        : throw new UsageException($"--date-order: '{text}' is not one of auto|dmy|mdy|ymd");

    private static DateOnly? ParseDate(string? text) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new UsageException($"--date: '{text}' is not a YYYY-MM-DD date");

    private static char? ParseDelimiter(string? text) => text switch
    {
        null => null,
        "comma" => ',',
        "semicolon" => ';',
        "tab" or "\\t" => '\t',
        "pipe" => '|',
        "colon" => ':',
        { Length: 1 } => text[0],
        _ => throw new UsageException($"--delimiter: expected one character or comma|semicolon|tab|pipe|colon, got '{text}'"),
    };

    internal static CancellationTokenSource CancelOnCtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return cts;
    }

    /// <summary>"windows-1252", or with several files "utf-8 (2 files), windows-1252 (1 file)".</summary>
    private static string DescribeEncodings(IngestStats s)
    {
        if (s.Encodings.Count == 1 && s.Files <= 1)
        {
            return s.Encodings.Keys.First();
        }

        return string.Join(", ", s.Encodings.Select(e => $"{e.Key} ({e.Value} file{(e.Value == 1 ? "" : "s")})"));
    }

    internal static void RenderStats(IngestStats s)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(s.Breach)}[/] ingested");
        t.AddColumn("figure");
        t.AddColumn(new TableColumn("value").RightAligned());
        t.AddRow("rows", s.Rows.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("duplicate rows", s.DuplicateRows.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("distinct emails", s.Distinct.Email.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("distinct phones", s.Distinct.Phone.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("invalid emails / phones / birthdates", $"{s.Invalid.Email:N0} / {s.Invalid.Phone:N0} / {s.Invalid.Birthdate:N0}");
        t.AddRow("accounts (PwnCount)", s.Accounts.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("data classes", Markup.Escape(string.Join(", ", s.DataClasses)));
        t.AddRow("identifiers (per row)", $"{s.Identifiers.Total:N0} ({s.Identifiers.PerRow:0.###}; {s.Identifiers.RowsWithSeveral:N0} rows with several)");
        t.AddRow("encoding", Markup.Escape(DescribeEncodings(s)));
        t.AddRow("damaged fields", s.DamagedFields.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("skipped rows", s.Problems.Count.ToString("N0", CultureInfo.InvariantCulture));
        t.AddRow("index entries", s.IndexEntries.ToString("N0", CultureInfo.InvariantCulture));
        if (s.Ulp is { } ulp)
        {
            // Stealer-log lines: what became of each.
            t.AddRow("stealer-log lines", ulp.Lines.ToString("N0", CultureInfo.InvariantCulture));
            t.AddRow("emails indexed / usernames skipped", $"{ulp.EmailsIndexed:N0} / {ulp.UsernamesSkipped:N0}");
            t.AddRow("passwords (SHA-1 and NTLM)", ulp.Passwords.ToString("N0", CultureInfo.InvariantCulture));
            t.AddRow("bad lines", Markup.Escape(string.Join(", ", ulp.BadLines.Select(b => $"{b.Key} {b.Value:N0}"))));
        }

        if (s.Notifications is { Error: null } n && n.Watchers > 0)
        {
            t.AddRow("notifications queued", $"{n.Queued:N0} (matched against {n.Watchers:N0} subscriptions and monitored identifiers)");
        }

        t.AddRow("time", $"{s.Seconds:F1} s ({s.RowsPerSecond:N0} rows/s)");
        AnsiConsole.Write(t);
        foreach (var p in s.Problems.First)
        {
            AnsiConsole.MarkupLine($"[yellow]skipped[/] {Markup.Escape(p)}");
        }
    }
}
