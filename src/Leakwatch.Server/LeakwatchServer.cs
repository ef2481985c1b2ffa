using System.Diagnostics;
using Leakwatch.Server.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Scalar.AspNetCore;

namespace Leakwatch.Server;

/// <summary>
/// The Leakwatch HTTP server: HIBP API v3 over the published index, Pwned Passwords ranges, the page for people
/// (<c>/</c>, <c>/breaches</c>), OpenAPI + a local API reference page and <c>/healthz</c>; Prometheus <c>/metrics</c> only on
/// the listeners of <see cref="ServerOptions.MetricsUrls"/> (<see cref="MetricsListener"/>). Build it, start it, read the bound address from <c>app.Urls</c>.
/// </summary>
public static class LeakwatchServer
{
    /// <summary>Builds the server; throws if the data dir's index or key file cannot be opened.</summary>
    public static WebApplication Build(ServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(LeakwatchServer).Assembly.GetName().Name,
            // Not the working directory: a stray appsettings.json there must not reconfigure the server.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        if (options.InlineIo)
        {
            // Requests run on the thread that read them, with no hop to the thread pool; endpoints that may wait
            // are handed to the pool by SocketThreads.HandOff (see ServerOptions.InlineIo).
            builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        }

        ConfigureLogging(builder.Logging, options);

        AddServices(builder.Services, options);

        // Parsed before anything starts, so a bad value fails at once, naming it.
        var trustedProxies = ServerOptions.ParseTrustedProxies(options.TrustedProxies);
        var app = builder.Build();
        // Open the index now: a server that cannot read it fails at start, not on the first request.
        var exposure = app.Services.GetRequiredService<ExposureService>();
        var api = app.Services.GetRequiredService<HibpApi>();
        var metrics = app.Services.GetRequiredService<ServerMetrics>();
        var privateApi = app.Services.GetRequiredService<PrivateApi>();
        // Loaded before serving: an opted-out identifier is never answered, not even on the first request.
        _ = app.Services.GetRequiredService<OptOutFilter>();

        if (trustedProxies.Count > 0)
        {
            // Only the configured proxies: ASP.NET's defaults would also trust loopback.
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardLimit = null };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in trustedProxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        UsePipeline(app, options, api, privateApi, metrics);

        api.Map(app);
        PwnedPasswordsEndpoints.Map(app, app.Services.GetRequiredService<PasswordStoreHolder>(), options);
        ReportEndpoints.Map(app, exposure, options);
        PageEndpoints.Map(app, new WebAssets(), exposure, options.PrivateStaticUrl);
        privateApi.Map(app);
        app.Services.GetRequiredService<Monitor.MonitorApi>().Map(app);
        app.Services.GetRequiredService<NotifyEndpoints>().Map(app);
        // MCP (issue 16): the tools for AI agents at /mcp, keyed and limited as the v3 API.
        Mcp.McpEndpoint.Map(app);
        // Domain verification (issue 16): /api/domains and /api/v3/subscribeddomains.
        app.Services.GetRequiredService<Domains.DomainApi>().Map(app);
        // Domain store (issue 16): GET /api/v3/breacheddomain/{domain}.
        app.Services.GetRequiredService<Domains.BreachedDomainEndpoint>().Map(app);

        app.MapGet("/healthz", (HttpContext ctx) =>
        {
            var s = exposure.Current;
            return Results.Json(new HealthStatus("ok", s.Generation, s.All.Count, s.Manifest.Index is null ? null : s.Manifest.Published),
                ServerJson.Default.HealthStatus);
        }).RunsOnSocketThread().WithName("Health").WithSummary("Liveness and the index generation served").WithTags("Operations");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar", o =>
        {
            o.Title = "Leakwatch API";
            o.OpenApiRoutePattern = "/openapi/{documentName}.json";
            // Everything from this server: the bundle is embedded in the package; no CDN fonts, telemetry or AI agent.
            o.DefaultFonts = false;
            o.Telemetry = false;
            o.Agent = new ScalarAgentOptions { Disabled = true };
        });
        return app;
    }

    /// <summary>Security headers, routing, request metrics, authentication, the rate limits (shared, then in-process) and
    /// the hand-off of endpoints that may wait to the thread pool.</summary>
    private static void UsePipeline(WebApplication app, ServerOptions options, HibpApi api, PrivateApi privateApi, ServerMetrics metrics)
    {
        app.Use(SecurityHeaders.Apply);
        app.UseRouting();
        app.Use(async (ctx, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            await next(ctx);
            var endpoint = (ctx.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.ObserveRequest(endpoint, ctx.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds);
        });
        app.Use(api.Authenticate);
        if (app.Services.GetRequiredService<SharedCounters>().Redis is { } redis)
        {
            // Counted for the cluster first; the in-process limiter below lets what Redis counted through.
            app.Use(new SharedLimits(redis, api, privateApi, options, metrics).Apply);
        }

        app.UseRateLimiter();
        app.Use(SocketThreads.HandOff);
    }

    /// <summary>Builds, starts and runs until <paramref name="cancellationToken"/> or a shutdown signal.</summary>
    public static async Task RunAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        await using var app = Build(options);
        await app.StartAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
    }

    /// <summary>The server's singletons, OpenAPI and the rate limiter's partitions.</summary>
    private static void AddServices(IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<ExposureService>();
        services.AddSingleton(sp => new ScrapingDetector(options.Enumeration, options.TimeProvider,
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<ServerMetrics>()));
        services.AddSingleton<SharedCounters>();
        services.AddSingleton<KeyRateLimits>();
        services.AddSingleton<HibpApi>();
        services.AddSingleton<PasswordStoreHolder>();
        services.AddSingleton<PrivateIndexService>();
        services.AddSingleton<PrivateApi>();
        services.AddSingleton<Monitor.MonitorApi>();
        services.AddSingleton<OptOutFilter>();
        services.AddSingleton<NotifyEndpoints>();
        // Domain verification (issue 16); the domain store replaces the counts (NoDomainCounts: null counts).
        services.AddSingleton<Domains.DomainApi>();
        // Domain store (issue 16): breacheddomain, the subscribeddomains counts and the MCP domain_search, registered
        // before the placeholders (NoDomainCounts, NoVerifiedDomains) so those TryAdds leave them.
        services.AddSingleton<Domains.DomainBreaches>();
        services.AddSingleton<Leakwatch.Catalog.Domains.IDomainCounts>(sp => sp.GetRequiredService<Domains.DomainBreaches>());
        services.AddSingleton<IDomainSearch, Domains.DomainStoreSearch>();
        services.AddSingleton<Domains.BreachedDomainEndpoint>();
        services.TryAddSingleton<Leakwatch.Catalog.Domains.IDomainCounts>(Leakwatch.Catalog.Domains.NoDomainCounts.Instance);
        services.AddSingleton<MetricsListener>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsListener>());
        services.AddHostedService<NotificationMatchService>();
        services.AddSingleton<DeliveryService>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryService>());
        // MCP (issue 16): the tool server and what it asks for (domain search: swapped in when domains can be verified).
        Mcp.McpEndpoint.AddServices(services);
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Leakwatch";
            doc.Info.Description = "Self-hosted breach exposure, wire-compatible with Have I Been Pwned API v3.";
            return Task.CompletedTask;
        }));
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<HibpApi, PrivateApi, NotifyEndpoints, KeyRateLimits>((o, api, privateApi, notify, keyLimits) =>
            {
                o.GlobalLimiter = keyLimits.ForRequests(api.LimitKey);
                o.OnRejected = api.OnRateLimited;
                o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                o.AddPolicy(PrivateApi.EvaluatePolicy, privateApi.EvaluatePartition);
                o.AddPolicy(PrivateApi.ConfigPolicy, privateApi.ConfigPartition);
                o.AddPolicy(NotifyEndpoints.Policy, notify.Partition);
            });
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ServerOptions options)
    {
        logging.ClearProviders();
        if (options.ConsoleLogging)
        {
            logging.AddSimpleConsole(o =>
            {
                // Scopes carry ASP.NET's RequestPath, which for an account search is the account.
                o.IncludeScopes = false;
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        logging.SetMinimumLevel(LogLevel.Information);
        // ASP.NET's request logs name the path, and the path of /breachedaccount/{account} is the account.
        // Request logging is off; Leakwatch's metrics count requests by route template instead.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.None);
        logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // The MCP SDK's request logs may carry tool arguments, and an account is one.
        logging.AddFilter("ModelContextProtocol", LogLevel.Error);
        options.ConfigureLogging?.Invoke(logging);
    }
}
