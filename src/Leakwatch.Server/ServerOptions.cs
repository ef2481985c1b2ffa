using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>How to run a Leakwatch server. Everything has a safe default except the data dir.</summary>
public sealed record ServerOptions
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public required string DataDir { get; init; }

    /// <summary>Key file; null = <c>&lt;data-dir&gt;.key</c> beside the data dir.</summary>
    public string? KeyFilePath { get; init; }

    /// <summary>Where breach rows and API keys live (<c>--state</c>); null = <c>catalog.db</c> in the data dir.</summary>
    public Leakwatch.Catalog.State.StateLocation? State { get; init; }

    /// <summary>Where to listen (semicolon-separated). Binds only here; <c>http://127.0.0.1:0</c> picks a free port.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Answer HIBP's documented <c>@hibp-integration-tests.com</c> accounts, and accept the all-zero test key for them.</summary>
    public bool TestAccounts { get; init; }

    /// <summary>Default region for national-format phone numbers in lookups (null: digits without '+' carry a country code).</summary>
    public string? DefaultRegion { get; init; }

    /// <summary>Requests per minute per client IP on the anonymous catalogue endpoints.</summary>
    public int AnonymousRpm { get; init; } = 600;

    /// <summary>Requests per minute per client IP for the all-zero test key.</summary>
    public int TestKeyRpm { get; init; } = 60;

    /// <summary>Per-IP requests a minute on <c>/range/</c>; 0 turns the limit off (e.g. behind a CDN).</summary>
    public int RangeRpm { get; init; } = 6000;

    /// <summary>Private-lookup evaluations a minute per client (API key if a valid one is sent, else IP): each is one
    /// online guess at an identifier.</summary>
    public int PrivateRpm { get; init; } = 30;

    /// <summary>Private-lookup evaluations a second from all clients together (<c>--private-global-rps</c>): per-client
    /// limits cannot bound the online guesses of one guesser with many addresses or keys; past it, 429.</summary>
    public int PrivateGlobalRps { get; init; } = 20;

    /// <summary>
    /// Redis as <c>HOST:PORT</c> (<c>--redis</c>, env <c>LEAKWATCH_REDIS</c>): every rate limit, the private budgets,
    /// the failed-key allowance and the enumeration detector are counted there, once for all replicas. While it is
    /// unreachable, account search and private evaluation answer 503 and the other endpoints count in-process.
    /// Null (the default): everything in this process.
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>Checks a <see cref="Redis"/> value without connecting.</summary>
    /// <exception cref="FormatException">It is not <c>HOST:PORT</c> (the message names <c>--redis</c>).</exception>
    public static void ValidateRedis(string endpoint) => RedisCounters.Configuration(endpoint);

    /// <summary>Base URL of a <c>leakwatch export</c> (<c>--private-static-url</c>), without a trailing slash: the
    /// private config names it as <c>staticUrl</c>, and evaluations answer without the bucket unless the client asks
    /// for it (<c>"entries": true</c>); clients fetch <c>staticUrl/private/&lt;generation&gt;/&lt;bucket&gt;</c>.</summary>
    public string? PrivateStaticUrl { get; init; }

    /// <summary>Requests a minute per client IP on the individual's notification endpoints (<c>--notify-rpm</c>):
    /// subscribe, opt out, and the mailed links. Each subscribe or opt-out may send a mail, so it is kept low.</summary>
    public int NotifyRpm { get; init; } = 10;

    /// <summary>Subscribe and opt-out requests are answered no sooner than this after they arrive: a new address costs
    /// two writes, one mailed within the hour none, and the answer's timing must not tell them apart.</summary>
    public TimeSpan NotifyAnswerFloor { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a replica polls the opt-out count, and reloads the list when it moved: an opt-out confirmed
    /// on another replica is served here within this. The replica that confirms it serves it at once.</summary>
    public TimeSpan OptOutRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Mail delivery (<c>--smtp</c>, <c>--smtp-tls</c>, <c>--mail-from</c>, <c>--public-url</c>). Null: no
    /// relay, so subscriptions still work but their mails wait in the outbox (logged once at start) until a server
    /// with <c>--smtp</c> delivers them.</summary>
    public Leakwatch.Notify.Mail.MailOptions? Mail { get; init; }

    /// <summary>How the outbox is delivered (batch, per-destination concurrency, lease, idle poll).</summary>
    public Leakwatch.Notify.Delivery.DeliveryLoopOptions Delivery { get; init; } = new();

    /// <summary>Invalid API keys a minute per client network before every keyed request from it gets 429.</summary>
    public int FailedKeyRpm { get; init; } = 10;

    /// <summary>Where <c>/metrics</c> listens (<c>--metrics-urls</c>, comma- or semicolon-separated), apart from the
    /// public listeners, which never serve it: its counts of account-search answers are live signals about
    /// searches. Null (the default): no metrics endpoint.</summary>
    public string? MetricsUrls { get; init; }

    /// <summary>
    /// Inline I/O (on by default): Kestrel runs each request on the thread that read it (its
    /// <c>UnsafePreferInlineScheduling</c>), and <c>leakwatch serve</c> starts the process with socket completions on
    /// the socket engine's own threads (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>). That saves two
    /// thread hops per request: ~20% more <c>/range/</c> throughput on two cores. A socket thread serves many
    /// connections, like an nginx worker, so only endpoints that answer from memory stay on it; the rest (account
    /// search over the memory-mapped index, reports, private evaluation, OpenAPI) and any range not yet rendered
    /// continue on the thread pool (<see cref="SocketThreads"/>). False: every request on the thread pool.
    /// </summary>
    public bool InlineIo { get; init; } = true;

    /// <summary>
    /// Reverse proxies or CDN edges (IP addresses or CIDR networks, <c>--trusted-proxy</c>) whose
    /// <c>X-Forwarded-For</c> names the client: the per-IP limits (anonymous endpoints, ranges, private evaluations
    /// without a key) then count the client, not the proxy. The header is read right to left through trusted hops only, so a client cannot choose its
    /// own address; from any other peer it is ignored. Empty (the default): never read.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>Parses <see cref="TrustedProxies"/>: a bare address is a one-address network.</summary>
    /// <exception cref="FormatException">A value is neither, or a network has host bits set (the message names it).</exception>
    public static IReadOnlyList<System.Net.IPNetwork> ParseTrustedProxies(IEnumerable<string> values)
    {
        var networks = new List<System.Net.IPNetwork>();
        foreach (var value in values)
        {
            var text = value.Trim();
            if (System.Net.IPAddress.TryParse(text, out var address) && !text.Contains('/'))
            {
                networks.Add(new System.Net.IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (System.Net.IPNetwork.TryParse(text, out var network)
                     && System.Net.IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/')), out var written)
                     && written.Equals(network.BaseAddress))
            {
                // 10.0.0.1/8 is refused rather than widened to 10.0.0.0/8: for whom to trust, a typo must not guess.
                networks.Add(network);
            }
            else
            {
                throw new FormatException(
                    $"--trusted-proxy: '{value}' is neither an IP address nor a CIDR network such as 10.0.0.0/8 (with the host bits zero)");
            }
        }

        return networks;
    }

    /// <summary><c>--allow-private-webhooks</c>: webhooks may point at loopback, private, link-local and other non-public
    /// addresses (a receiver on the same host or network). Off (the default), such URLs are refused at registration,
    /// and deliveries refuse to connect to such addresses whatever DNS answers by then (SSRF).</summary>
    public bool AllowPrivateWebhooks { get; init; }

    /// <summary><c>--dns HOST:PORT</c>: the resolver domain verification asks for TXT records; null: the system's.</summary>
    public System.Net.IPEndPoint? DnsServer { get; init; }

    /// <summary>Identifiers one API key may monitor in total (<c>/api/monitor/identifiers</c>).</summary>
    public long MonitorLimit { get; init; } = 1_000_000;

    /// <summary>Bytes one upload of monitored identifiers may have (streamed, never held whole).</summary>
    public long MonitorBodyLimit { get; init; } = 256L * 1024 * 1024;

    /// <summary>Webhooks one API key may register.</summary>
    public int WebhookLimit { get; init; } = 20;

    /// <summary>Watch the data dir for publishes and catalogue changes (inotify). False: the periodic checks alone,
    /// as when the watcher cannot start; a change is then served within <see cref="ReloadCheckInterval"/>.</summary>
    public bool WatchFiles { get; init; } = true;

    /// <summary>Fallback poll of <c>manifest.json</c> and <c>catalog.revision</c> when the file watcher misses an event.</summary>
    public TimeSpan ReloadCheckInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>API keys are re-read from the catalogue this often (and on every index reload); embedded state only.</summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>With PostgreSQL state, how often the state revision is polled (one tiny query); a change reloads the
    /// catalogue and the keys.</summary>
    public TimeSpan StatePollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A replaced index stays open at least this long, and until its last request finishes.</summary>
    public TimeSpan RetireGrace { get; init; } = TimeSpan.FromSeconds(5);

    public EnumerationRules Enumeration { get; init; } = new();

    /// <summary>The clock of the enumeration detector and the failed-key limit (tests inject a manual one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Log to the console (the CLI does; tests capture logs with <see cref="ConfigureLogging"/> instead).</summary>
    public bool ConsoleLogging { get; init; } = true;

    /// <summary>Extra logging setup, applied after Leakwatch's own filters.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
