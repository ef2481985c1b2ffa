using System.CommandLine;
using Leakwatch.Notify.Mail;
using Leakwatch.Server;

namespace Leakwatch.Cli;

internal static class ServeCommand
{
    private static readonly Option<string?> PrivateStaticUrl = new("--private-static-url")
    {
        Description = "Base URL of a `leakwatch export` (http or https): the private config names it, evaluations answer without the bucket and clients fetch it from <URL>/private/<generation>/<bucket>",
    };

    private static readonly Option<string?> Smtp = new(MailOptions.SmtpOption)
    {
        Description = "Send mail through this relay: smtp://[user:password@]host[:port] (default: $LEAKWATCH_SMTP, which keeps a password out of the process list). Unset: subscriptions work, their mails wait in the outbox",
    };

    private static readonly Option<string?> SmtpTls = new(MailOptions.TlsOption)
    {
        Description = "none|starttls|tls (default: none for a loopback relay, tls on port 465, starttls otherwise)",
    };

    private static readonly Option<string?> MailFrom = new(MailOptions.FromOption) { Description = "Sender of every mail, e.g. \"Leakwatch <alerts@leakwatch.example>\" (required with --smtp)" };

    private static readonly Option<string?> PublicUrl = new(MailOptions.PublicUrlOption) { Description = "This server as readers reach it, the base of links in mails, e.g. https://leakwatch.example (required with --smtp)" };

    // Domain verification (issue 16): the resolver asked for TXT records.
    private static readonly Option<string?> Dns = new("--dns") { Description = "The resolver domain verification asks for TXT records, HOST:PORT (default: the system's resolvers)" };

    private static readonly Option<string?> DeliveryLease = new("--delivery-lease")
    {
        Description = "How long a server holds the notifications it claimed before another replica may deliver them (after a crash, the delay before they go out again): 90s, 5m (default 5m; longer than 16 attempts of 10 s)",
    };

    private static readonly Option<int?> DeliveryConcurrency = new("--delivery-concurrency")
    {
        Description = "Notifications delivered at once per destination (a mail relay, a webhook's host); default 4. A relay that answers slowly per message needs more to reach its rate",
    };

    public static Command Build()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:5080 (binds only here)", DefaultValueFactory = _ => ServerOptions.DefaultUrls };
        var testAccounts = new Option<bool>("--test-accounts") { Description = "Answer HIBP's @hibp-integration-tests.com accounts and accept the all-zero test key for them" };
        var anonymousRpm = new Option<int>("--anonymous-rpm") { Description = "Requests per minute per IP on the anonymous catalogue endpoints", DefaultValueFactory = _ => 600 };
        var rangeRpm = new Option<int>("--range-rpm") { Description = "Requests per minute per IP on /range/ (0 = no limit, e.g. behind a CDN)", DefaultValueFactory = _ => 6000 };
        var privateRpm = new Option<int>("--private-rpm") { Description = "Private-lookup evaluations per minute per client (API key, else IP)", DefaultValueFactory = _ => 30 };
        var privateGlobalRps = new Option<int>("--private-global-rps") { Description = "Private-lookup evaluations per second from all clients together; past it, 429", DefaultValueFactory = _ => 20 };
        var failedKeyRpm = new Option<int>("--failed-key-rpm") { Description = "Invalid API keys per minute per client network (IPv4 address, IPv6 /64) before its keyed requests get 429", DefaultValueFactory = _ => 10 };
        var redis = new Option<string?>("--redis")
        {
            Description = "Redis HOST:PORT for counters shared by all replicas (rate limits, private budgets, failed keys, enumeration detector); default: $LEAKWATCH_REDIS, else in-process. While it is unreachable, account search and private evaluation answer 503",
        };
        var metricsUrls = new Option<string?>("--metrics-urls") { Description = "Serve Prometheus /metrics here only, e.g. http://127.0.0.1:9090 (comma-separated); unset: no /metrics" };
        var inlineIo = new Option<bool>("--inline-io")
        {
            Description = "Answer from-memory requests (ranges, catalogue, page) on the socket threads, without thread-pool hops; the rest still runs on the pool. On by default; --inline-io false runs everything on the pool",
            DefaultValueFactory = _ => true,
        };
        var trustedProxy = new Option<string[]>("--trusted-proxy")
        {
            Description = "A reverse proxy or CDN edge (IP or CIDR, repeatable) whose X-Forwarded-For names the client for per-IP limits; unset: the header is ignored",
        };
        trustedProxy.Validators.Add(result =>
        {
            try
            {
                ServerOptions.ParseTrustedProxies(result.GetValueOrDefault<string[]?>() ?? []);
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
            }
        });
        var allowPrivateWebhooks = new Option<bool>("--allow-private-webhooks")
        {
            Description = "Let webhooks point at loopback, private, link-local and other non-public addresses (a receiver on this host or network); off: refused at registration and at every connection (SSRF)",
        };
        var cmd = new Command("serve", "Serve the HIBP API v3-compatible HTTP API over the published index (reloads on each publish)")
        {
            urls, testAccounts, anonymousRpm, rangeRpm, privateRpm, privateGlobalRps, failedKeyRpm, redis, metricsUrls, inlineIo, trustedProxy,
            PrivateStaticUrl, IngestCommand.Region, Smtp, SmtpTls, MailFrom, PublicUrl, DeliveryLease, DeliveryConcurrency, allowPrivateWebhooks, Dns,
        };
        cmd.SetAction(r => LeakwatchCli.Guard(() =>
        {
            AtLeastOne(r.GetValue(anonymousRpm), "--anonymous-rpm");
            AtLeastOne(r.GetValue(privateRpm), "--private-rpm");
            AtLeastOne(r.GetValue(privateGlobalRps), "--private-global-rps");
            AtLeastOne(r.GetValue(failedKeyRpm), "--failed-key-rpm");
            var redisEndpoint = ResolveRedis(r.GetValue(redis));
            var options = new ServerOptions
            {
                Redis = redisEndpoint,
                DataDir = CliContext.ResolveDataDir(r),
                KeyFilePath = CliContext.ResolveKeyFile(r),
                State = CliContext.ResolveState(r),
                Urls = r.GetValue(urls)!,
                TestAccounts = r.GetValue(testAccounts),
                AnonymousRpm = r.GetValue(anonymousRpm),
                RangeRpm = r.GetValue(rangeRpm),
                PrivateStaticUrl = CheckStaticUrl(r.GetValue(PrivateStaticUrl)),
                PrivateRpm = r.GetValue(privateRpm),
                PrivateGlobalRps = r.GetValue(privateGlobalRps),
                FailedKeyRpm = r.GetValue(failedKeyRpm),
                MetricsUrls = r.GetValue(metricsUrls),
                DefaultRegion = r.GetValue(IngestCommand.Region),
                InlineIo = r.GetValue(inlineIo),
                TrustedProxies = r.GetValue(trustedProxy) ?? [],
                AllowPrivateWebhooks = r.GetValue(allowPrivateWebhooks),
                Mail = ResolveMail(r),
                Delivery = ResolveDelivery(r),
                DnsServer = r.GetValue(Dns) is { } resolver ? Leakwatch.Notify.Domains.DnsTxtChecker.ParseResolver(resolver, "--dns") : null,
            };
            PrepareProcess(options);
            LeakwatchServer.RunAsync(options).GetAwaiter().GetResult();

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>The mail options, <c>--smtp</c> else <c>$LEAKWATCH_SMTP</c>; null without a relay.</summary>
    private static MailOptions? ResolveMail(ParseResult r) =>
        MailOptions.Parse(r.GetValue(Smtp) ?? Environment.GetEnvironmentVariable("LEAKWATCH_SMTP"), r.GetValue(SmtpTls), r.GetValue(MailFrom), r.GetValue(PublicUrl));

    private static Leakwatch.Notify.Delivery.DeliveryLoopOptions ResolveDelivery(ParseResult r)
    {
        var defaults = new Leakwatch.Notify.Delivery.DeliveryLoopOptions();
        if (r.GetValue(DeliveryConcurrency) is { } concurrency)
        {
            defaults = concurrency is >= 1 and <= 256
                ? defaults with { PerDestination = concurrency }
                : throw new UsageException($"--delivery-concurrency: {concurrency} is not between 1 and 256");
        }

        if (r.GetValue(DeliveryLease) is not { } text)
        {
            return defaults;
        }

        var lease = Leakwatch.Storage.Retention.GenerationRetention.ParsePeriod(text);
        return lease is { } l && l >= TimeSpan.FromSeconds(1)
            ? defaults with { Lease = l }
            : throw new UsageException($"--delivery-lease: '{text}' is not a duration of at least 1s (e.g. 90s, 5m)");
    }

    private static void AtLeastOne(int value, string option)
    {
        if (value < 1)
        {
            throw new UsageException(option + " must be at least 1");
        }
    }

    /// <summary><c>--redis</c>, else <c>$LEAKWATCH_REDIS</c>, else none; checked for HOST:PORT without connecting.</summary>
    private static string? ResolveRedis(string? option)
    {
        var value = option ?? Environment.GetEnvironmentVariable("LEAKWATCH_REDIS");
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            ServerOptions.ValidateRedis(value);
            return value.Trim();
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// With inline I/O, socket operations complete on the socket engine's threads instead of being posted to the
    /// pool, so requests can run there. It is process-wide and read when the first socket opens, which has not
    /// happened yet when a command starts a server: set here, not in the server library, whose tests share one
    /// process with their clients.
    /// </summary>
    internal static void PrepareProcess(ServerOptions options)
    {
        if (options.InlineIo)
        {
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        }
    }

    /// <summary>An absolute http(s) URL without query or fragment, or null when the option is absent.</summary>
    private static string? CheckStaticUrl(string? url)
    {
        if (url is null)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new UsageException($"--private-static-url: '{url}' is not an absolute http(s) URL without query or fragment");
        }

        return url.TrimEnd('/');
    }
}
