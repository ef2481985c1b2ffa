using System.CommandLine;
using System.Text.Json;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Privacy.Buckets;
using Spectre.Console;

namespace Leakwatch.Cli;

internal static class CheckCommand
{
    public static Command Build()
    {
        var accounts = new Argument<string[]>("account") { Description = "Emails or phone numbers as a person types them", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<string>("--file")
        {
            Description = "Check the accounts in FILE (- for stdin), one per line, writing one JSON line per account in input order",
        };
        var privately = new Option<bool>("--private")
        {
            Description = "Look up through the private index instead: the full OPRF protocol (blind, evaluate, unblind, bucket scan) in this process",
        };
        var cmd = new Command("check", "Look accounts up in the published index") { accounts, file, IngestCommand.Region, privately, CliContext.Json };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var json = r.GetValue(CliContext.Json);
            var fileName = r.GetValue(file);
            var list = r.GetValue(accounts) ?? [];
            // Opened before the index: a missing file is reported as such, whatever state the data dir is in.
            using var input = OpenInput(fileName, list, r.GetValue(privately));
            var keys = CliContext.LoadKeys(r, create: false);
            using var lookup = ExposureLookup.Open(CliContext.ResolveDataDir(r), keys, CliContext.ResolveState(r));
            using var privateLookup = r.GetValue(privately)
                ? PrivateIndexLookup.Open(CliContext.ResolveDataDir(r), keys) ?? throw new UsageException("--private: the data dir has no private index (ingest with --private, or run `leakwatch private build`)")
                : null;
            // libphonenumber loads its metadata lazily: an email-only check never pays for it.
            // The operator sees opted-out identifiers as such, and still their breaches: the opt-out hides them from
            // public search (the server), not from whoever holds the key file.
            var optedOut = OptedOut(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var phones = new Lazy<PhoneNormalizer>(() => new PhoneNormalizer(r.GetValue(IngestCommand.Region)));
            if (input is not null)
            {
                return RunFile(input, fileName!, lookup, phones, optedOut);
            }

            var found = false;
            var invalid = false;
            for (var i = 0; i < list.Length; i++)
            {
                var account = list[i];
                var kind = lookup.TryKey(account, phones, out var key);
                if (kind == AccountKind.Invalid)
                {
                    invalid = true;
                    if (json)
                    {
                        WriteJsonLine(account, [], "not a valid email address or phone number");
                    }
                    else
                    {
                        // The account itself is not echoed: error output may end up in logs.
                        Console.Error.WriteLine($"leakwatch: error: account {i + 1}: not a valid email address or phone number");
                    }

                    continue;
                }

                var breaches = privateLookup is null ? lookup.Find(key) : FindPrivately(privateLookup, lookup, account, phones.Value);
                found |= breaches.Count > 0;
                var names = breaches.ConvertAll(b => b.Name);
                var hidden = optedOut.Contains(key);
                const string HiddenNote = " (opted out: hidden from public search)";
                if (json)
                {
                    WriteJsonLine(account, names, null, hidden);
                }
                else if (breaches.Count == 0)
                {
                    Print(("green", account), (null, ": not found in any breach" + (hidden ? HiddenNote : "")));
                }
                else
                {
                    PrintFound(account, breaches, hidden ? HiddenNote : "");
                }
            }

            return invalid ? ExitCodes.Usage : found ? ExitCodes.Found : ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary><c>check --file</c>: NDJSON whatever <c>--json</c> says; the exit code as for arguments.</summary>
    private static int RunFile(Stream input, string fileName, ExposureLookup lookup, Lazy<PhoneNormalizer> phones, HashSet<UInt128> optedOut)
    {
        var bulk = new CheckFile(lookup, phones, optedOut);
        using var stdout = Console.OpenStandardOutput();
        bulk.Run(input, fileName, stdout);
        return bulk.Invalid ? ExitCodes.Usage : bulk.Found ? ExitCodes.Found : ExitCodes.Ok;
    }

    /// <summary>The human lines of an account found in breaches: each breach, then the advice for its data classes.</summary>
    private static void PrintFound(string account, List<Breach> breaches, string note)
    {
        Print(("red", account), (null, $": found in {breaches.Count} breach(es)" + note));
        foreach (var b in breaches)
        {
            Print((null, "  "), ("bold", b.Name), (null, $" ({b.BreachDate:yyyy-MM-dd}): {string.Join(", ", b.DataClasses)}"));
        }

        // The same advice table as /api/advice and the page.
        foreach (var rule in ExposureAdvice.For(breaches.SelectMany(b => b.DataClasses)))
        {
            Print((null, "  "), ("yellow", rule.Title));
            foreach (var step in rule.Steps)
            {
                Print((null, "    - " + step));
            }
        }
    }

    /// <summary>The <c>--file</c> input (null without one), after checking it goes with the other arguments.</summary>
    private static Stream? OpenInput(string? fileName, string[] accounts, bool privately)
    {
        if (fileName is not null && accounts.Length > 0)
        {
            throw new UsageException("--file and account arguments are mutually exclusive: give one or the other");
        }

        if (fileName is null && accounts.Length == 0)
        {
            throw new UsageException("check: give at least one account, or --file FILE");
        }

        if (fileName is not null && privately)
        {
            throw new UsageException("--private cannot be combined with --file: a private lookup is one online evaluation per account");
        }

        return fileName is null ? null : CheckFile.Open(fileName);
    }

    /// <summary>
    /// A phone check's slowest step is libphonenumber loading its metadata and building the calling code's rules
    /// (30–60 ms, against ~20 ms for everything else after start-up). When <c>check</c> is given something that is
    /// not an email, that work starts at once on a background thread, on the second core, while the command line
    /// is parsed and the key file, manifest and index are opened. The lookup itself stays on the main thread; the
    /// metadata and rule caches it finds warm are the same thread-safe ones the server shares between requests.
    /// </summary>
    internal static void PrewarmPhones(string[] args)
    {
        var check = Array.IndexOf(args, "check");
        if (check < 0 || Environment.ProcessorCount < 2)
        {
            return;
        }

        List<string>? candidates = null;
        for (var i = check + 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith('-') && !args[i].Contains('@'))
            {
                (candidates ??= []).Add(args[i]);
            }
        }

        if (candidates is null)
        {
            return;
        }

        new Thread(() =>
        {
            try
            {
                var phones = new PhoneNormalizer(null);
                foreach (var c in candidates)
                {
                    phones.TryNormalize(c, out _);
                }
            }
            catch (Exception)
            {
                // Only a warm-up: the lookup reports its own errors.
            }
        })
        { IsBackground = true, Name = "phone-metadata-warmup" }.Start();
    }

    /// <summary>
    /// One line of human output. On a terminal it goes through Spectre (colours, the terminal's width); piped,
    /// it is written plainly: no markup to strip, no wrapping at 80 columns that would split a line for grep,
    /// and no terminal probing, which cost a cold <c>check</c> ~60 ms.
    /// </summary>
    private static void Print(params ReadOnlySpan<(string? Style, string Text)> parts)
    {
        var sb = new System.Text.StringBuilder();
        var terminal = !Console.IsOutputRedirected;
        foreach (var (style, text) in parts)
        {
            if (terminal && style is not null)
            {
                sb.Append('[').Append(style).Append(']').Append(Markup.Escape(text)).Append("[/]");
            }
            else
            {
                sb.Append(terminal ? Markup.Escape(text) : text);
            }
        }

        if (terminal)
        {
            AnsiConsole.MarkupLine(sb.ToString());
        }
        else
        {
            Console.Out.WriteLine(sb.ToString());
        }
    }

    /// <summary>
    /// One <c>--json</c> line: <c>{"account": as given, "breaches": [names, oldest first]}</c>, plus <c>"optedOut": true</c>
    /// for an identifier hidden from public search and <c>"error"</c> for an invalid account. Accounts print as typed ("+44 …", not "\u002B44 …"): the output is JSON Lines for tools,
    /// not HTML. Written with <see cref="Utf8JsonWriter"/> directly; the serializer's metadata would be
    /// JIT-compiled on every cold start.
    /// </summary>
    private static void WriteJsonLine(string account, List<string> breaches, string? error, bool optedOut = false)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("account"u8, account);
            w.WriteStartArray("breaches"u8);
            foreach (var name in breaches)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            if (optedOut)
            {
                w.WriteBoolean("optedOut"u8, true);
            }

            if (error is not null)
            {
                w.WriteString("error"u8, error);
            }

            w.WriteEndObject();
        }

        Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>The index keys of the opted-out identifiers (empty when the data dir has no state yet).</summary>
    private static HashSet<UInt128> OptedOut(Leakwatch.Catalog.State.StateLocation? state, string dataDir)
    {
        using var store = Leakwatch.Catalog.State.StateStore.OpenReadOnly(state, dataDir);
        var keys = new HashSet<UInt128>();
        List<byte[]> optOuts;
        try
        {
            optOuts = store?.OptOuts() ?? [];
        }
        catch (Exception e) when (e is Leakwatch.Core.Errors.LeakwatchException or Microsoft.Data.Sqlite.SqliteException)
        {
            // A store written before the notification tables (a write command migrates it): nothing is opted out.
            optOuts = [];
        }

        foreach (var key in optOuts)
        {
            keys.Add(Leakwatch.Index.IndexKeys.ReadBigEndian(key));
        }

        return keys;
    }

    /// <summary>The breaches a private lookup shows: ids from the entries, mapped through the breaches public search
    /// shows (not retired, not sensitive), as a remote client maps them through the config.</summary>
    private static List<Breach> FindPrivately(PrivateIndexLookup privateLookup, ExposureLookup lookup, string account, PhoneNormalizer phones)
    {
        var input = PrivateLookupClient.TryCanonicalize(account, phones);
        var result = new List<Breach>();
        if (input is null)
        {
            return result;
        }

        var ids = privateLookup.Find(input);
        foreach (var b in lookup.Breaches)
        {
            if (ids.Contains(b.Id) && !b.IsRetired && !b.IsSensitive)
            {
                result.Add(b);
            }
        }

        return result;
    }
}
