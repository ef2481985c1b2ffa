using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Leakwatch.Catalog.State;

namespace Leakwatch.Cli.Tests;

/// <summary><c>leakwatch domains verify</c> at a resolver that never answers (a UDP socket on loopback that reads and
/// stays silent): one line naming the resolver and what to check, exit 69, and the claim left pending. A class of its
/// own: the lookup waits out its two 5 s tries, beside the other tests rather than after them.</summary>
public sealed class DomainsDeadResolverTests
{
    [Fact]
    public void Verify_ResolverThatNeverAnswers_OneLineNamingIt_ClaimStaysPending()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.DataDir);
        using (var store = StateStore.Open(null, dir.DataDir))
        {
            store.CreateKey("ops", 60, DateTimeOffset.UtcNow);
        }

        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = (IPEndPoint)silent.Client.LocalEndPoint!;
        Assert.Equal(0, LeakwatchProcess.Run([.. dir.Dirs, "domains", "add", "example.com", "--key-name", "ops"]).ExitCode);

        var r = LeakwatchProcess.Run([.. dir.Dirs, "domains", "verify", "example.com", "--dns", endpoint.ToString()]);

        Assert.Equal(69, r.ExitCode);
        Assert.Equal($"leakwatch: error: the DNS lookup of example.com at {endpoint} failed: no answer in time (is a DNS server listening there?)",
            Assert.Single(r.StderrLines));
        Assert.True(silent.Available > 0, "the query never reached the resolver's socket");
        var claim = JsonDocument.Parse(Assert.Single(LeakwatchProcess.Run([.. dir.Dirs, "domains", "list", "--json"]).StdoutLines)).RootElement;
        Assert.Equal("pending", claim.GetProperty("state").GetString());
    }
}
