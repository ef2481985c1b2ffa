using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Leakwatch.Server.Tests;

/// <summary>The serve options reach the server through the real CLI: <c>--range-rpm</c>, <c>--metrics-urls</c>.</summary>
public class ServeProcessTests
{
    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static async Task WaitUntilUp(HttpClient c, Process server)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server.HasExited)
            {
                Assert.Fail($"serve exited ({server.ExitCode}): {await server.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var r = await c.GetAsync("/healthz");
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail("serve did not come up within 60 s");
    }

    [Fact]
    public async Task Serve_RangeRpmAndMetricsUrls_Applied()
    {
        using var dir = new TempDir();
        var dump = dir.File("tiny.csv");
        File.WriteAllText(dump, "email\nsomeone@example.com\n");
        dir.Ingest(dump, "Tiny");
        var (port, metricsPort) = (FreePort(), FreePort());
        using var server = Process.Start(LeakwatchProcess.StartInfo([.. dir.Dirs, "serve", "--urls", $"http://127.0.0.1:{port}",
            "--metrics-urls", $"http://127.0.0.1:{metricsPort}", "--range-rpm", "2"]))!;
        try
        {
            using var c = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilUp(c, server);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await c.GetAsync("/range/5BAA6")).StatusCode);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await c.GetAsync("/range/5BAA6")).StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, (await c.GetAsync("/range/5BAA6")).StatusCode);

            Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/metrics")).StatusCode);
            using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
            var metrics = await scraper.GetStringAsync("/metrics");
            Assert.Contains("leakwatch_rate_limit_rejections_total{scope=\"ip\"} 1", metrics, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            LeakwatchProcess.WaitForExitOrKill(server, TimeSpan.FromSeconds(30));
        }
    }
}
