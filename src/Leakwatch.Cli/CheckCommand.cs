using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Core;
using Leakwatch.Ingest.Lookup;
using Leakwatch.Privacy.Private;
using Spectre.Console;

namespace Leakwatch.Cli;

internal static class CheckCommand
{
    public static Command Build()
    {
        var accounts = new Argument<string[]>("account") { Description = "Emails or phone numbers as a person types them", Arity = ArgumentArity.OneOrMore };
        var privately = new Option<bool>("--private")
        {
            Description = "Look up through the private index instead: the full OPRF protocol (blind, evaluate, unblind, bucket scan) in this process",
        };
        var cmd = new Command("check", "Look accounts up in the published index") { accounts, IngestCommand.Region, privately, CliContext.Json };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var json = r.GetValue(CliContext.Json);
            var keys = CliContext.LoadKeys(r, create: false);
            using var lookup = ExposureLookup.Open(CliContext.ResolveDataDir(r), keys);
            using var privateLookup = r.GetValue(privately)
                ? PrivateIndexLookup.Open(CliContext.ResolveDataDir(r), keys) ?? throw new UsageException("--private: the data dir has no private index (ingest with --private, or run `leakwatch private build`)")
                : null;
            // libphonenumber loads its metadata lazily: an email-only check never pays for it.
            var phones = new Lazy<PhoneNormalizer>(() => new PhoneNormalizer(r.GetValue(IngestCommand.Region)));
            var found = false;
            var invalid = false;
            var list = r.GetValue(accounts)!;
            for (var i = 0; i < list.Length; i++)
            {
                var account = list[i];
                var kind = lookup.TryKey(account, phones, out var key);
                if (kind == AccountKind.Invalid)
                {
                    invalid = true;
                    if (json)
                    {
                        Console.WriteLine(JsonSerializer.Serialize(new CheckLine(account, [], "not a valid email address or phone number"), CheckJson.Relaxed.CheckLine));
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
                if (json)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new CheckLine(account, names, null), CheckJson.Relaxed.CheckLine));
                }
                else if (breaches.Count == 0)
                {
                    AnsiConsole.MarkupLine($"[green]{Markup.Escape(account)}[/]: not found in any breach");
                }
                else
                {
                    AnsiConsole.MarkupLine($"[red]{Markup.Escape(account)}[/]: found in {breaches.Count} breach(es)");
                    foreach (var b in breaches)
                    {
                        AnsiConsole.MarkupLine($"  [bold]{Markup.Escape(b.Name)}[/] ({b.BreachDate:yyyy-MM-dd}): {Markup.Escape(string.Join(", ", b.DataClasses))}");
                    }

                    // The same advice table as /api/advice and the page.
                    foreach (var rule in ExposureAdvice.For(breaches.SelectMany(b => b.DataClasses)))
                    {
                        AnsiConsole.MarkupLine($"  [yellow]{Markup.Escape(rule.Title)}[/]");
                        foreach (var step in rule.Steps)
                        {
                            AnsiConsole.MarkupLine($"    - {Markup.Escape(step)}");
                        }
                    }
                }
            }

            return invalid ? ExitCodes.Usage : found ? ExitCodes.Found : ExitCodes.Ok;
        }));
        return cmd;
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

internal sealed record CheckLine(
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("breaches")] List<string> Breaches,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

[JsonSerializable(typeof(CheckLine))]
internal sealed partial class CheckJson : JsonSerializerContext
{
    /// <summary>Accounts print as typed ("+44 …", not "\u002B44 …"); output is JSON Lines for tools, not HTML.</summary>
    public static CheckJson Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
