using System.Net;

namespace Leakwatch.Server.Tests;

/// <summary>Headers that keep answers out of caches, MIME sniffing and frames, and <c>/metrics</c> off the public port.</summary>
[Collection(ServerCollection.Name)]
public class ResponseHeaderTests(ServerFixture f)
{
    private static void AssertNoSniff(HttpResponseMessage r, string what) =>
        Assert.True(r.Headers.TryGetValues("X-Content-Type-Options", out var v) && v.Single() == "nosniff", $"{what}: no nosniff");

    [Theory]
    [InlineData("/api/v3/breaches")]
    [InlineData("/api/v3/breach/NoSuchBreach")]
    [InlineData("/api/v3/breachedaccount/someone%40example.com")] // 401 without a key
    [InlineData("/healthz")]
    [InlineData("/range/5BAA6")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/")]
    [InlineData("/no/such/path")]
    public async Task AnyResponse_CarriesNosniff(string path)
    {
        using var c = f.Server.Client();
        using var r = await c.GetAsync(path);
        AssertNoSniff(r, $"{path} ({(int)r.StatusCode})");
    }

    [Fact]
    public async Task BreachedAccount_FoundMissingAndBad_NoStore()
    {
        using var c = f.Server.Client(f.Key);
        foreach (var (account, status) in new[]
                 {
                     (f.Alpha.Emails!.First(), HttpStatusCode.OK),
                     ("nobody.at.all@example.org", HttpStatusCode.NotFound),
                     ("not an account", HttpStatusCode.BadRequest),
                 })
        {
            using var r = await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(account));
            Assert.Equal(status, r.StatusCode);
            Assert.Equal("no-store", r.Headers.CacheControl?.ToString());
            AssertNoSniff(r, "breachedaccount");
        }
    }

    [Fact]
    public async Task ReportAndApiReference_ForbidFraming()
    {
        using var c = f.Server.Client();
        using var report = await c.GetAsync("/breaches/Alpha/report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        var policy = string.Join(";", report.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);

        using var scalar = await c.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        Assert.Contains("frame-ancestors 'none'", string.Join(";", scalar.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        using var page = await c.GetAsync("/");
        Assert.Contains("frame-ancestors 'none'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OnlyOnItsOwnListener()
    {
        using var c = f.Server.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/metrics")).StatusCode);
        using var scraper = f.Server.MetricsClient();
        Assert.NotEqual(f.Server.BaseAddress, scraper.BaseAddress);
        using var metrics = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("leakwatch_index_generation", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // And the metrics listener serves nothing else.
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/api/v3/breaches")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/healthz")).StatusCode);
    }
}
