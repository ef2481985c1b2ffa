using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Leakwatch.Notify.Domains;
using Spectre.Console;

namespace Leakwatch.Cli;

/// <summary>
/// <c>leakwatch domains add|verify|list|remove</c>: the domains API keys claim, and their proof of control by a DNS
/// TXT record (docs/organisations.md, "Domain verification"). The same <see cref="DomainOwnership"/> as
/// <c>/api/domains</c>. <c>verify --mailbox</c> queues the mailed link in the outbox, and a running <c>serve --smtp</c>
/// delivers it (the link points at that server's public URL).
/// </summary>
internal static class DomainsCommand
{
    private static readonly Option<string?> KeyNameOptional = new("--key-name") { Description = "The API key's name (or id), from `keys list`" };

    private static readonly Option<string?> Dns = new("--dns")
    {
        Description = "The resolver to ask for the TXT record, HOST:PORT (default: the system's resolvers)",
    };

    private static readonly Option<string?> Mailbox = new("--mailbox")
    {
        Description = $"Prove control by mail instead of DNS: queue a one-time link to this role mailbox of the domain ({string.Join(", ", DomainOwnership.Mailboxes)}); a running `serve --smtp` delivers it",
    };

    public static Command Build()
    {
        var domains = new Command("domains", "Domains API keys claim, and their verification (DNS TXT record or mailed link)");
        domains.Subcommands.Add(BuildAdd());
        domains.Subcommands.Add(BuildVerify());
        domains.Subcommands.Add(BuildList());
        domains.Subcommands.Add(BuildRemove());
        return domains;
    }

    private static Option<string> KeyNameRequired() => new("--key-name") { Description = "The API key's name (or id), from `keys list`", Required = true };

    private static Command BuildAdd()
    {
        var domain = new Argument<string>("domain") { Description = "The domain, e.g. example.com (IDN allowed)" };
        var keyName = KeyNameRequired();
        var add = new Command("add", "Claim a domain for a key; prints the TXT record to publish (its token is shown only now)") { domain, keyName };
        add.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var key = FindKey(store, r.GetValue(keyName)!);
            var (result, token) = new DomainOwnership(store).Add(key.Id, r.GetValue(domain));
            var name = result.Domain.Domain;
            if (token is null)
            {
                Console.WriteLine($"{name} is already verified for key {Label(key)}");
                return ExitCodes.Ok;
            }

            Console.WriteLine(DomainTxtRecord.For(token));
            Console.Error.WriteLine($"publish this TXT record at {name}, then run: leakwatch domains verify {name} --key-name {Label(key)}");
            return ExitCodes.Ok;
        }));
        return add;
    }

    private static Command BuildVerify()
    {
        var domain = new Argument<string>("domain") { Description = "The domain" };
        var verify = new Command("verify", "Check the domain's TXT record now and mark it verified when it holds the key's token, or (--mailbox) mail a one-time link")
        {
            domain, KeyNameOptional, Dns, Mailbox,
        };
        verify.SetAction(r => LeakwatchCli.Guard(() =>
        {
            var resolver = r.GetValue(Dns) is { } text ? DnsTxtChecker.ParseResolver(text, "--dns") : null;
            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var name = DomainOwnership.Normalize(r.GetValue(domain));
            var keyId = r.GetValue(KeyNameOptional) is { } keyName ? FindKey(store, keyName).Id : OnlyClaimant(store, name);
            if (r.GetValue(Mailbox) is { } mailbox)
            {
                return RequestMail(store, keyId, name, mailbox, CliContext.LoadKeys(r, create: true));
            }

            var (claim, check) = new DomainOwnership(store).VerifyDnsAsync(keyId, name, new DnsTxtChecker(resolver)).GetAwaiter().GetResult();
            switch (check.Outcome)
            {
                case DnsCheckOutcome.Verified:
                    Console.WriteLine($"{claim.Domain} verified for key {(claim.KeyName.Length > 0 ? claim.KeyName : claim.KeyId.ToString(CultureInfo.InvariantCulture))} ({claim.Method})");
                    return ExitCodes.Ok;
                case DnsCheckOutcome.LookupFailed:
                    throw new LeakwatchException(ErrorKind.StateUnavailable, check.Message);
                default:
                    throw new LeakwatchException(ErrorKind.NotFound, check.Message);
            }
        }));
        return verify;
    }

    /// <summary>Queues the mailed link, as <c>POST /api/domains/{domain}/verify</c> with <c>method: email</c> does.</summary>
    private static int RequestMail(StateStore store, int keyId, string name, string mailbox, Leakwatch.Privacy.KeyFile keys)
    {
        var box = $"{mailbox.Trim().ToLowerInvariant()}@{name}";
        switch (new DomainOwnership(store).RequestMail(keyId, name, mailbox, new Leakwatch.Notify.NotifySealing(keys)))
        {
            case MailRequestOutcome.AlreadyVerified:
                Console.WriteLine($"{name} is already verified for this key; no mail queued");
                return ExitCodes.Ok;
            case MailRequestOutcome.TooSoon:
                throw new LeakwatchException(ErrorKind.Usage,
                    $"--mailbox: a link for {name} was mailed less than {DomainOwnership.MailQuiet.TotalMinutes:0} minutes ago; use it, or ask again later");
            default:
                Console.WriteLine($"a one-time link (valid 24 hours) to {box} is queued");
                Console.Error.WriteLine("a running `leakwatch serve --smtp HOST:PORT --public-url URL` delivers it; `leakwatch notify status` shows it");
                return ExitCodes.Ok;
        }
    }

    private static Command BuildList()
    {
        var list = new Command("list", "Each claimed domain: its key, state (pending/verified), method and dates") { KeyNameOptional, CliContext.Json };
        list.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            int? keyId = r.GetValue(KeyNameOptional) is { } keyName ? FindKey(store, keyName).Id : null;
            var all = store.Domains(keyId);
            if (r.GetValue(CliContext.Json))
            {
                foreach (var d in all)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new DomainLine(d.Domain, d.KeyId, d.KeyName, d.State, d.Method, d.Created, d.Verified),
                        DomainsJson.Default.DomainLine));
                }

                return ExitCodes.Ok;
            }

            var t = new Table().Border(TableBorder.Rounded);
            t.AddColumns("Domain", "Key", "State", "Method", "Added", "Verified");
            foreach (var d in all)
            {
                t.AddRow(Markup.Escape(d.Domain), Markup.Escape($"{d.KeyId.ToString(CultureInfo.InvariantCulture)} {d.KeyName}".Trim()), d.State, d.Method ?? "",
                    d.Created.ToString("u", CultureInfo.InvariantCulture), d.Verified?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            }

            AnsiConsole.Write(t);
            return ExitCodes.Ok;
        }));
        return list;
    }

    private static Command BuildRemove()
    {
        var domain = new Argument<string>("domain") { Description = "The domain" };
        var keyName = KeyNameRequired();
        var remove = new Command("remove", "Drop a key's claim on a domain, verified or not") { domain, keyName };
        remove.SetAction(r => LeakwatchCli.Guard(() =>
        {
            using var store = StateStore.Open(CliContext.ResolveState(r), CliContext.ResolveDataDir(r));
            var key = FindKey(store, r.GetValue(keyName)!);
            var name = DomainOwnership.Normalize(r.GetValue(domain));
            if (!new DomainOwnership(store).Remove(key.Id, name))
            {
                throw new LeakwatchException(ErrorKind.NotFound, $"domain: {name} has not been added for key {Label(key)}");
            }

            Console.WriteLine($"removed {name} from key {Label(key)}");
            return ExitCodes.Ok;
        }));
        return remove;
    }

    private static string Label(ApiKey key) => key.Name.Length > 0 ? key.Name : key.Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The unrevoked key named <paramref name="name"/> (or with that id); a one-line error naming --key-name otherwise.</summary>
    private static ApiKey FindKey(StateStore store, string name)
    {
        var keys = store.Keys().FindAll(k => k.Revoked is null);
        var named = keys.FindAll(k => string.Equals(k.Name, name, StringComparison.Ordinal));
        if (named.Count == 0 && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            named = keys.FindAll(k => k.Id == id);
        }

        return named.Count switch
        {
            1 => named[0],
            0 => throw new LeakwatchException(ErrorKind.NotFound, $"--key-name: no unrevoked key named '{name}' (see `leakwatch keys list`)"),
            _ => throw new UsageException($"--key-name: {named.Count.ToString(CultureInfo.InvariantCulture)} keys are named '{name}'; pass the key's id instead"),
        };
    }

    /// <summary>Without --key-name: the one key that claimed the domain and has not verified it yet.</summary>
    private static int OnlyClaimant(StateStore store, string domain)
    {
        var claims = store.Domains().FindAll(d => string.Equals(d.Domain, domain, StringComparison.Ordinal));
        if (claims.Count == 0)
        {
            throw new LeakwatchException(ErrorKind.NotFound, $"domain: {domain} has not been added for any key (run `leakwatch domains add` first)");
        }

        if (claims.Count > 1)
        {
            throw new UsageException($"--key-name: {domain} was added by {claims.Count.ToString(CultureInfo.InvariantCulture)} keys; name the one to verify");
        }

        return claims[0].KeyId;
    }
}
