using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Leakwatch.Passwords;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Leakwatch.Server.Mcp;

/// <summary>
/// The MCP tools, each the twin of an HTTP endpoint and never answering more than it: the same services, filters,
/// opt-outs and validation, and the same JSON as text. Every call first takes one token from the caller's rate
/// (<see cref="HibpApi.TakeCallAsync"/>); an account search is also judged by the enumeration detector. Refusals and
/// bad input are tool errors (<c>isError</c>) an agent can read, naming the field; nothing here echoes an account.
/// </summary>
[McpServerToolType]
internal sealed class LeakwatchTools(HibpApi api, ExposureService exposure, PasswordStoreHolder passwords, IDomainSearch domains)
{
    [McpServerTool(Name = "search_account", Title = "Search an account", ReadOnly = true, Destructive = false, OpenWorld = false)]
    [Description("Lists the data breaches an email address or phone number appears in, oldest breach first, as the HIBP v3 " +
        "breachedaccount endpoint: a JSON array of {\"Name\": ...} objects, or full breach objects with truncate=false. " +
        "Answers that the account is in no breach when nothing is found (also for addresses whose owners opted out). " +
        "Sensitive and retired breaches are never listed. Counts as one lookup against the API key's rate limit.")]
    public async Task<CallToolResult> SearchAccount(
        [Description("The email address, or the phone number in any common format (E.164 such as +447700900123 is safest).")] string account,
        [Description("true (default): breach names only; false: full breach objects (title, domain, dates, data classes, flags).")] bool truncate = true,
        [Description("Only breaches of this website domain, e.g. adobe.com (any case).")] string? domain = null,
        [Description("false: leave out unverified breaches. Default true.")] bool unverified = true)
    {
        await SocketThreads.LeaveAsync();
        if (await Gate() is { } refused)
        {
            return refused;
        }

        var ctx = McpCaller.Current!;
        var found = new List<PreparedBreach>(8);
        var search = await api.SearchAccount(ctx.Features.Get<ApiClient>()!, account ?? "", ctx.Connection.RemoteIpAddress, found);
        switch (search.Outcome)
        {
            case AccountSearchOutcome.Answered:
                HibpApi.FilterAccountBreaches(search.Found, domain, unverified);
                return search.Found.Count == 0
                    ? Text("No breaches: this account is in no breach known to this server.")
                    : Json(ServingState.JoinArray(search.Found, truncate));
            case AccountSearchOutcome.Invalid:
                return Error("account: not a valid email address or phone number.");
            case AccountSearchOutcome.TestKeyRefused:
                return Error("The all-zero test key only answers for the test accounts at @hibp-integration-tests.com.");
            case AccountSearchOutcome.Blocked:
                return RateLimited(search.RetryAfterSeconds);
            default:
                return Unavailable();
        }
    }

    [McpServerTool(Name = "get_breach", Title = "Get one breach", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("One breach by its name (as search_account and list_breaches give it, any case), as the HIBP v3 breach " +
        "endpoint: a JSON object with Name, Title, Domain, BreachDate, AddedDate, ModifiedDate, PwnCount, Description, " +
        "LogoPath, DataClasses and the Is* flags.")]
    public async Task<CallToolResult> GetBreach(
        [Description("The breach's name, e.g. Adobe.")] string name)
    {
        await SocketThreads.LeaveAsync();
        if (await Gate() is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return Error("name: required, the name of a breach.");
        }

        var breach = exposure.Current.ByName(name.Trim());
        return breach is null ? Text("No breach has this name.") : Json(breach.Full);
    }

    [McpServerTool(Name = "list_breaches", Title = "List breaches", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Every breach in the catalogue, as the HIBP v3 breaches endpoint: a JSON array of full breach objects, " +
        "optionally only those of one website domain.")]
    public async Task<CallToolResult> ListBreaches(
        [Description("Only breaches of this website domain, e.g. adobe.com (any case).")] string? domain = null)
    {
        await SocketThreads.LeaveAsync();
        if (await Gate() is { } refused)
        {
            return refused;
        }

        return Json(api.BreachesJson(domain, spam: null));
    }

    [McpServerTool(Name = "password_range", Title = "Pwned Passwords range", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Pwned Passwords k-anonymity search, as api.pwnedpasswords.com/range: give the first 5 hex characters of " +
        "a password's SHA-1 (or NTLM) hash, get every known hash with that prefix as lines SUFFIX:COUNT (the other 35, " +
        "or 27 for NTLM, uppercase hex characters and how often that password was seen). The password is in a breach " +
        "when its own suffix is listed. Never send the password or its full hash.")]
    public async Task<CallToolResult> PasswordRange(
        [Description("The first 5 hexadecimal characters of the hash, e.g. 21BD1.")] string prefix,
        [Description("sha1 (default) or ntlm: which hash the prefix is of.")] string? mode = null)
    {
        await SocketThreads.LeaveAsync();
        if (await Gate() is { } refused)
        {
            return refused;
        }

        if (prefix is null || !PasswordRangeStore.IsValidPrefix(prefix))
        {
            return Error("prefix: must be exactly 5 hexadecimal characters (0-9, A-F), the start of the hash.");
        }

        PasswordHashMode hash;
        if (string.IsNullOrWhiteSpace(mode) || string.Equals(mode.Trim(), "sha1", StringComparison.OrdinalIgnoreCase))
        {
            hash = PasswordHashMode.Sha1;
        }
        else if (string.Equals(mode.Trim(), "ntlm", StringComparison.OrdinalIgnoreCase))
        {
            hash = PasswordHashMode.Ntlm;
        }
        else
        {
            return Error("mode: must be sha1 or ntlm.");
        }

        var range = passwords.TryGetRendered(hash, prefix) ?? passwords.Get(hash, prefix);
        return Text(Encoding.UTF8.GetString(range.Body));
    }

    [McpServerTool(Name = "domain_search", Title = "Search a verified domain", ReadOnly = true, Destructive = false, OpenWorld = false)]
    [Description("The breached email addresses of a domain the API key has verified, as the HIBP v3 breacheddomain endpoint: " +
        "a JSON object mapping each alias (the part before @) to the names of the breaches it is in. Addresses whose " +
        "owners opted out are left out. Refused for a domain this key has not verified.")]
    public async Task<CallToolResult> DomainSearch(
        [Description("The email domain, e.g. example.com.")] string domain)
    {
        await SocketThreads.LeaveAsync();
        if (await Gate() is { } refused)
        {
            return refused;
        }

        if (NormalizeDomain(domain) is not { } name)
        {
            return Error("domain: not a valid domain name, e.g. example.com.");
        }

        var key = McpCaller.Current!.Features.Get<ApiClient>()!.Key;
        var result = key is null ? DomainSearchResult.NotVerified : domains.Search(key, name);
        if (!result.Verified)
        {
            return Error("domain: not verified for this API key. Domain search answers only for domains the key's holder has verified.");
        }

        return result.Aliases.Count == 0 ? Text("No breaches: no address on this domain is in a breach known to this server.") : Json(AliasesJson(result.Aliases));
    }

    /// <summary>One token of the caller's rate; a tool error when the key is over its limit.</summary>
    private async ValueTask<CallToolResult?> Gate()
    {
        var ctx = McpCaller.Current;
        if (ctx?.Features.Get<ApiClient>() is not { } client)
        {
            // Authentication runs before every request to /mcp; a call without a caller is not one of them.
            return Error("Access denied due to missing hibp-api-key.");
        }

        var wait = await api.TakeCallAsync(client, ctx.Connection.RemoteIpAddress);
        return wait > 0 ? RateLimited(wait) : null;
    }

    /// <summary>A lower-case domain name of dot-separated labels (letters, digits, inner hyphens), or null.</summary>
    internal static string? NormalizeDomain(string? domain)
    {
        var d = domain?.Trim().TrimEnd('.').ToLowerInvariant();
        if (string.IsNullOrEmpty(d) || d.Length > 253 || !d.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var label in d.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return null;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return null;
                }
            }
        }

        return d;
    }

    private static byte[] AliasesJson(IReadOnlyDictionary<string, IReadOnlyList<string>> aliases)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (alias, breaches) in aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WriteStartArray(alias);
                foreach (var b in breaches)
                {
                    writer.WriteStringValue(b);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static CallToolResult RateLimited(int seconds) =>
        Error("Rate limit is exceeded. Try again in " + seconds.ToString(CultureInfo.InvariantCulture) + " seconds.");

    private static CallToolResult Unavailable() =>
        Error("Service unavailable: the cluster's shared counters cannot be reached. Try again later.");

    private static CallToolResult Json(byte[] json) => Text(Encoding.UTF8.GetString(json));

    private static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    private static CallToolResult Error(string text) => new() { Content = [new TextContentBlock { Text = text }], IsError = true };
}
