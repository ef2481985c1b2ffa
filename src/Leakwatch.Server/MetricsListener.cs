using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Leakwatch.Server;

/// <summary>
/// <c>/metrics</c> on listeners of its own (<see cref="ServerOptions.MetricsUrls"/>), started and stopped with the
/// server. A separate host rather than a route, so no Host header or path trick on a public port can reach it: the
/// counts of account-search answers by status are live signals about searches, for the operator's scraper only.
/// </summary>
internal sealed partial class MetricsListener : IHostedService, IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _log;
    private WebApplication? _app;

    public MetricsListener(ServerOptions options, ServerMetrics metrics, ILogger<MetricsListener> log)
    {
        _options = options;
        _metrics = metrics;
        _log = log;
    }

    /// <summary>The bound addresses once started (a port of 0 resolved); empty without <c>--metrics-urls</c>.</summary>
    public IReadOnlyList<string> Addresses => _app is { } app ? [.. app.Urls] : [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_options.MetricsUrls))
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(LeakwatchServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var urls = _options.MetricsUrls.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        // The server's own logger reports the listener; ASP.NET's lifetime lines would repeat the public ones.
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(SecurityHeaders.Apply);
        app.MapMetrics("/metrics", _metrics.Registry);
        await app.StartAsync(cancellationToken);
        _app = app;
        LogListening(_log, string.Join(", ", app.Urls));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving /metrics on {Urls}")]
    private static partial void LogListening(ILogger log, string urls);
}
