using System.Globalization;
using System.Net;

namespace Leakwatch.TestSupport;

/// <summary>
/// A real DNS server (dnsmasq) on a free loopback port, started by <c>scripts/dnsmasq.sh</c> (which installs it when
/// missing) with the TXT records given, answering NXDOMAIN for every other name; stopped and its directory deleted on
/// dispose. dnsmasq reads its records once, so a test that needs other records starts another.
/// </summary>
internal sealed class DnsmasqServer : IDisposable
{
    public DnsmasqServer(params (string Name, string Text)[] txtRecords)
    {
        Dir = ServiceScript.NewDirectory("lw-dns");
        Port = FreeUdpPort();
        Endpoint = Start(txtRecords);
    }

    /// <summary>Stops the server and starts it again on the same port with these records (and no others).</summary>
    public void Restart(params (string Name, string Text)[] txtRecords)
    {
        ServiceScript.Run(ServiceScript.Script("dnsmasq.sh"), "stop", Dir);
        Start(txtRecords);
    }

    private string Start((string Name, string Text)[] txtRecords)
    {
        var args = new List<string> { "start", Dir, Port.ToString(CultureInfo.InvariantCulture) };
        foreach (var (name, text) in txtRecords)
        {
            args.Add($"--txt-record={name},{text}");
        }

        return ServiceScript.Run(ServiceScript.Script("dnsmasq.sh"), [.. args]);
    }

    public string Dir { get; }

    public int Port { get; }

    /// <summary>HOST:PORT, as <c>--dns</c> takes it.</summary>
    public string Endpoint { get; }

    public IPEndPoint IPEndPoint => new(IPAddress.Loopback, Port);

    /// <summary>A loopback port free for both UDP and TCP (dnsmasq binds both).</summary>
    private static int FreeUdpPort()
    {
        for (var i = 0; ; i++)
        {
            var port = ServiceScript.FreePort();
            try
            {
                using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (System.Net.Sockets.SocketException) when (i < 20)
            {
            }
        }
    }

    public void Dispose()
    {
        try
        {
            ServiceScript.Run(ServiceScript.Script("dnsmasq.sh"), "stop", Dir);
        }
        finally
        {
            try
            {
                Directory.Delete(Dir, recursive: true);
            }
            catch (IOException)
            {
                // /tmp is cleaned by the OS.
            }
        }
    }
}
