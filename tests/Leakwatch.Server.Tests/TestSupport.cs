using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Leakwatch.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary>Test set-up through the real CLI.</summary>
internal static class TempDirCli
{
    public static void Ingest(this TempDir dir, string dump, string breach, params string[] extra)
    {
        var r = LeakwatchProcess.Run([.. dir.Dirs, "ingest", dump, "--breach", breach, "--json", .. extra]);
        Assert.True(r.ExitCode == 0, $"ingest failed ({r.ExitCode}): {r.Stderr}");
    }
}

/// <summary>A real Kestrel server on a loopback port chosen by the OS.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public static async Task<RunningServer> StartAsync(ServerOptions options)
    {
        var app = LeakwatchServer.Build(options with { Urls = "http://127.0.0.1:0" });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Assert.Equal(address, app.Urls.First());
        return new RunningServer(app, new Uri(address));
    }

    public HttpClient Client(string? apiKey = null, string? userAgent = "leakwatch-tests/1.0")
    {
        var c = new HttpClient { BaseAddress = BaseAddress };
        if (userAgent is not null)
        {
            c.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        }

        if (apiKey is not null)
        {
            c.DefaultRequestHeaders.Add("hibp-api-key", apiKey);
        }

        return c;
    }

    /// <summary>A client of the separate <c>/metrics</c> listener (the server must be started with <c>MetricsUrls</c>).</summary>
    public HttpClient MetricsClient()
    {
        var address = App.Services.GetRequiredService<MetricsListener>().Addresses;
        Assert.NotEmpty(address);
        return new HttpClient { BaseAddress = new Uri(address[0]) };
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Captures every log line with its message, structured values and exception.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"{category} {logLevel} {eventId.Id} {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (k, v) in values)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" {k}={v}");
                }
            }

            if (exception is not null)
            {
                sb.Append(' ').Append(exception);
            }

            owner.Lines.Enqueue(sb.ToString());
        }
    }
}
