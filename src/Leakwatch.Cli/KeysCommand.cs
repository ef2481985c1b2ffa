using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Spectre.Console;

namespace Leakwatch.Cli;

/// <summary><c>leakwatch keys create|list|revoke</c>: API keys for the server, stored as hashes in the state store (catalog.db or PostgreSQL).</summary>
internal static class KeysCommand
{
    public static Command Build()
    {
        var keys = new Command("keys", "Manage API keys for `leakwatch serve` (hibp-api-key)");
        keys.Subcommands.Add(BuildCreate());
        keys.Subcommands.Add(BuildList());
        keys.Subcommands.Add(BuildRevoke());
        keys.Subcommands.Add(BuildRotateOprf());
        return keys;
    }

    /// <summary>`keys create`: prints a new key once; only its hash is stored.</summary>
    private static Command BuildCreate()
    {
        var name = new Option<string?>("--name") { Description = "A label for the key (who or what uses it)" };
        var rpm = new Option<int>("--rpm") { Description = "Requests per minute allowed", DefaultValueFactory = _ => ApiKeySecret.DefaultRpm };
        var create = new Command("create", "Create a key; it is printed once and only its hash is stored") { name, rpm, CliContext.Json };
        create.SetAction(r => LeakwatchCli.Guard(() =>
        {
            if (r.GetValue(rpm) < 1)
            {
                throw new UsageException("--rpm must be at least 1");
            }

            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var (key, secret) = store.CreateKey(r.GetValue(name) ?? "", r.GetValue(rpm), DateTimeOffset.UtcNow);
            if (r.GetValue(CliContext.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new CreatedKeyLine(key.Id, key.Name, secret, key.Rpm, key.Created), KeysJson.Default.CreatedKeyLine));
            }
            else
            {
                Console.WriteLine(secret);
                Console.Error.WriteLine($"key {key.Id} created ({key.Rpm} requests/minute); it is shown only now, store it safely");
            }

            return ExitCodes.Ok;
        }));
        return create;
    }

    /// <summary>`keys list`: ids, names and limits, never the keys.</summary>
    private static Command BuildList()
    {
        var list = new Command("list", "List keys (never the keys themselves)") { CliContext.Json };
        list.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var store = StateStore.OpenReadOnly(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var all = store?.Keys() ?? [];
            if (r.GetValue(CliContext.Json))
            {
                foreach (var k in all)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new KeyLine(k.Id, k.Name, k.Rpm, k.Created, k.Revoked), KeysJson.Default.KeyLine));
                }

                return ExitCodes.Ok;
            }

            var t = new Table().Border(TableBorder.Rounded);
            t.AddColumns("Id", "Name", "Rpm", "Created", "Revoked");
            foreach (var k in all)
            {
                t.AddRow(k.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(k.Name), k.Rpm.ToString(CultureInfo.InvariantCulture),
                    k.Created.ToString("u", CultureInfo.InvariantCulture), k.Revoked?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            }

            AnsiConsole.Write(t);
            return ExitCodes.Ok;
        }));
        return list;
    }

    /// <summary>`keys revoke ID`.</summary>
    private static Command BuildRevoke()
    {
        var id = new Argument<int>("id") { Description = "Key id (from `keys list`)" };
        var revoke = new Command("revoke", "Revoke a key; servers stop accepting it within seconds") { id };
        revoke.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            if (!store.RevokeKey(r.GetValue(id), DateTimeOffset.UtcNow))
            {
                Console.Error.WriteLine($"leakwatch: error: no key with id {r.GetValue(id)}");
                return ExitCodes.NotFound;
            }

            Console.WriteLine($"revoked key {r.GetValue(id)}");
            return ExitCodes.Ok;
        }));
        return revoke;
    }

    /// <summary>`keys rotate-oprf`: rebuilds the private index under a new OPRF key.</summary>
    private static Command BuildRotateOprf()
    {
        var sources = new Option<string[]>("--source")
        {
            Description = "NAME=PATH: read breach NAME from PATH instead of its recorded source (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var drop = new Option<string[]>("--drop")
        {
            Description = "NAME: stop indexing breach NAME privately, e.g. when its dump is gone (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var rotate = new Command("rotate-oprf", "Rotate the OPRF key of private lookups: rebuild the private index under a new key from each breach's recorded source, publish, then switch (the old key serves until then); also ends a withdrawn private index")
        {
            sources, drop, PrivateCommand.Memory, PrivateCommand.Workers, CliContext.Json,
        };
        rotate.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var s in r.GetValue(sources) ?? [])
            {
                var eq = s.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == s.Length - 1)
                {
                    throw new UsageException($"--source: expected NAME=PATH, got '{s}'");
                }

                overrides[s[..eq]] = s[(eq + 1)..];
            }

            var builder = PrivateCommand.Builder(r);
            using var cts = IngestCommand.CancelOnCtrlC();
            var result = PrivateCommand.Run("Rotating the OPRF key", p => builder.RotateKey(overrides, r.GetValue(drop) ?? [], p, cts.Token), r.GetValue(CliContext.Json));
            PrivateCommand.Render(result, r.GetValue(CliContext.Json));
            return ExitCodes.Ok;
        }));
        return rotate;
    }
}
