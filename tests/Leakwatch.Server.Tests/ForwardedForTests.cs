using System.Net;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Behind a reverse proxy or CDN every request comes from the proxy's address. With <c>--trusted-proxy</c> the
/// per-IP limits (and the enumeration detector) see the client named in <c>X-Forwarded-For</c>; without it, or from
/// an address that is not a trusted proxy, the header is ignored, so a client cannot pick its own identity.
/// </summary>
public class ForwardedForTests
{
    private static async Task<RunningServer> Start(TempDir dir, params string[] trusted)
    {
        if (!File.Exists(Path.Combine(dir.DataDir, "manifest.json")))
        {
            var dump = dir.File("tiny.csv");
            File.WriteAllText(dump, "email\nsomeone@example.com\n");
            dir.Ingest(dump, "Tiny");
        }

        return await RunningServer.StartAsync(new ServerOptions
        {
            DataDir = dir.DataDir,
            KeyFilePath = dir.KeyFile,
            ConsoleLogging = false,
            AnonymousRpm = 2,
            TrustedProxies = trusted,
        });
    }

    private static async Task<HttpStatusCode> Get(HttpClient c, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v3/breaches");
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await c.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task TrustedProxy_EachForwardedClient_HasItsOwnPerIpLimit()
    {
        using var dir = new TempDir();
        await using var server = await Start(dir, "127.0.0.1", "10.0.0.0/8");
        using var c = server.Client();
        Assert.Equal(HttpStatusCode.OK, await Get(c, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await Get(c, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get(c, "203.0.113.7"));
        // Another client behind the same proxy is not limited by the first one's requests.
        Assert.Equal(HttpStatusCode.OK, await Get(c, "203.0.113.8"));
        // Through a chain of trusted proxies (an edge in 10/8, then us): the client is the first untrusted hop.
        Assert.Equal(HttpStatusCode.OK, await Get(c, "198.51.100.1, 10.1.2.3"));
        Assert.Equal(HttpStatusCode.OK, await Get(c, "198.51.100.1, 10.9.9.9"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get(c, "198.51.100.1, 10.1.2.3"));
    }

    [Theory]
    [InlineData(null)] // no --trusted-proxy
    [InlineData("192.0.2.0/24")] // trusted proxies, but the peer (loopback) is not one of them
    public async Task UntrustedPeer_ForwardedForIsIgnored(string? trusted)
    {
        using var dir = new TempDir();
        await using var server = await Start(dir, trusted is null ? [] : [trusted]);
        using var c = server.Client();
        Assert.Equal(HttpStatusCode.OK, await Get(c, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await Get(c, "203.0.113.8"));
        // The same peer inventing a third client is still the same client.
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get(c, "203.0.113.9"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get(c, null));
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("10.0.0.0/33")]
    [InlineData("")]
    public void TrustedProxies_NotAnAddressOrNetwork_AreRefusedNamingTheValue(string value)
    {
        var e = Assert.Throws<FormatException>(() => ServerOptions.ParseTrustedProxies([value]));
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("--trusted-proxy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrustedProxies_AddressesAndNetworks_Parse()
    {
        var networks = ServerOptions.ParseTrustedProxies(["127.0.0.1", "::1", "10.0.0.0/8", " 2001:db8::/32 "]);
        Assert.Equal(["127.0.0.1/32", "::1/128", "10.0.0.0/8", "2001:db8::/32"], networks.Select(n => n.ToString()));
    }
}
