using System.Net;
using System.Net.Sockets;

namespace Leakwatch.Notify.Delivery;

/// <summary>
/// Where a webhook may point (SSRF): only http(s), and only hosts whose every address is public. Checked when a
/// webhook is registered (<see cref="CheckAsync"/>) and again on each delivery, on the address actually connected
/// (<see cref="CreateHandler"/>): a name that resolved to a public address at registration and to 127.0.0.1 since
/// (DNS rebinding) is refused then. Names are resolved by the system resolver, the one the HTTP stack would use, so
/// <c>/etc/hosts</c> and container DNS count, and the check sees what a connection would reach.
/// </summary>
public static class WebhookAddresses
{
    public const int MaxUrlLength = 2048;

    private static readonly IPNetwork[] Forbidden =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"), // RFC 1918
        IPNetwork.Parse("100.64.0.0/10"), // carrier-grade NAT (RFC 6598)
        IPNetwork.Parse("127.0.0.0/8"), // loopback
        IPNetwork.Parse("169.254.0.0/16"), // link-local, cloud metadata (169.254.169.254)
        IPNetwork.Parse("172.16.0.0/12"), // RFC 1918
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"), // RFC 1918
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved, broadcast
        IPNetwork.Parse("::/128"), // unspecified
        IPNetwork.Parse("::1/128"), // loopback
        IPNetwork.Parse("fc00::/7"), // unique local
        IPNetwork.Parse("fe80::/10"), // link-local
        IPNetwork.Parse("fec0::/10"), // site-local (deprecated, still routed inside some networks)
        IPNetwork.Parse("ff00::/8"), // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>False for loopback, link-local, private (RFC 1918, ULA), CGNAT, multicast, unspecified and reserved
    /// addresses, also when written as IPv4-mapped or NAT64 IPv6.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && Nat64.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            address = new IPAddress(bytes.AsSpan(12, 4));
        }

        foreach (var network in Forbidden)
        {
            if (network.Contains(address))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a webhook URL as given at registration: absolute http(s), no user:password, and (unless
    /// <paramref name="allowPrivate"/>) a host that is no private literal and whose every address is public. Returns
    /// null when it may be used, else one line starting with <c>url:</c>.
    /// </summary>
    public static async Task<string?> CheckAsync(string? url, bool allowPrivate, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "url: required";
        }

        if (url.Length > MaxUrlLength)
        {
            return $"url: longer than {MaxUrlLength} characters";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "url: must be an absolute http or https URL";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "url: must not carry a user name or password (the secret signs each delivery)";
        }

        if (uri.Fragment.Length > 0)
        {
            return "url: must not have a fragment";
        }

        if (allowPrivate)
        {
            return null;
        }

        var host = uri.IdnHost;
        if (IsLocalName(host))
        {
            return "url: the host is local (loopback); refused unless the server runs with --allow-private-webhooks";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Resolve(host, ct);
        }
        catch (SocketException)
        {
            return "url: the host does not resolve";
        }

        if (addresses.Length == 0)
        {
            return "url: the host does not resolve";
        }

        foreach (var address in addresses)
        {
            if (!IsPublic(address))
            {
                return "url: the host resolves to a loopback, private, link-local or otherwise non-public address; "
                    + "refused unless the server runs with --allow-private-webhooks";
            }
        }

        return null;
    }

    /// <summary>
    /// The handler every delivery goes through: no redirects followed (a 3xx is an answer, not a new target), no
    /// proxy, no cookies, a connect timeout, and unless <paramref name="allowPrivate"/> a connect step that resolves
    /// the host itself and connects only to public addresses.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(bool allowPrivate, TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowPrivate, ct),
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivate, CancellationToken ct)
    {
        var host = endPoint.Host.TrimStart('[').TrimEnd(']');
        if (!allowPrivate && IsLocalName(host))
        {
            throw new WebhookRefusedException("refused: the host is local (loopback)");
        }

        var addresses = await Resolve(host, ct);
        SocketException? last = null;
        var refused = 0;
        foreach (var address in addresses)
        {
            if (!allowPrivate && !IsPublic(address))
            {
                refused++;
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), ct);
                // What was connected is what was checked: the address comes from this resolution, not a second one.
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        if (last is not null)
        {
            throw last;
        }

        throw refused > 0
            ? new WebhookRefusedException("refused: the host resolves to a loopback, private, link-local or otherwise non-public address")
            : new SocketException((int)SocketError.HostNotFound);
    }

    private static async Task<IPAddress[]> Resolve(string host, CancellationToken ct) =>
        IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);

    /// <summary><c>localhost</c> and names under it are loopback by definition (RFC 6761), whatever DNS says.</summary>
    private static bool IsLocalName(string host)
    {
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }
}
