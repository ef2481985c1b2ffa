using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using DnsClient;
using DnsClient.Protocol;
using Leakwatch.Core.Errors;

namespace Leakwatch.Notify.Domains;

/// <summary>
/// Looks up a domain's TXT records (DnsClient.NET) at one resolver (<c>--dns HOST:PORT</c>) or the system's, and
/// compares each <c>leakwatch-verification=</c> value with a token hash, in constant time. No cache: a record just
/// published is seen at once (as far as the resolver's own cache allows).
/// </summary>
public sealed class DnsTxtChecker
{
    private readonly LookupClient _client;

    public DnsTxtChecker(IPEndPoint? resolver)
    {
        var options = resolver is null ? new LookupClientOptions() : new LookupClientOptions(new NameServer(resolver));
        options.UseCache = false;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = false;
        options.Timeout = TimeSpan.FromSeconds(5);
        options.Retries = 1;
        _client = new LookupClient(options);
        Resolver = resolver is null ? "the system's resolvers" : resolver.ToString();
    }

    /// <summary>How messages name the resolver asked.</summary>
    public string Resolver { get; }

    /// <summary>What went wrong, in words a reader can act on: the library names a refused or unreachable resolver
    /// only "Unknown Error", with the socket's reason inside.</summary>
    private static string Reason(DnsResponseException e)
    {
        const string Hint = "(is a DNS server listening there?)";
        if (e.Code == DnsResponseCode.ConnectionTimeout)
        {
            return $"no answer in time {Hint}";
        }

        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException socket)
            {
                return $"{socket.Message.TrimEnd('.')} {Hint}";
            }
        }

        return e.DnsError;
    }

    public async Task<DnsCheck> CheckAsync(string domain, byte[] tokenHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenHash);
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(domain, QueryType.TXT, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException e)
        {
            return new DnsCheck(DnsCheckOutcome.LookupFailed, $"the DNS lookup of {domain} at {Resolver} failed: {Reason(e)}");
        }

        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            // `serve` completes socket I/O inline (every socket of the process, this one too): off the socket engine
            // thread before callers block on the state store.
            await Task.Yield();
        }

        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return NoRecord(domain, "the name does not exist");
        }

        if (response.HasError)
        {
            return new DnsCheck(DnsCheckOutcome.LookupFailed,
                $"the DNS lookup of {domain} at {Resolver} failed: {response.ErrorMessage.ReplaceLineEndings(" ")}");
        }

        var sawOurs = false;
        foreach (var txt in response.Answers.TxtRecords())
        {
            // A long value may be split into several strings of one record; they are one value.
            var value = string.Concat(txt.Text);
            if (!value.StartsWith(DomainTxtRecord.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            sawOurs = true;
            var candidate = NotifyTokens.Hash(value[DomainTxtRecord.Prefix.Length..].Trim());
            if (CryptographicOperations.FixedTimeEquals(candidate, tokenHash))
            {
                return new DnsCheck(DnsCheckOutcome.Verified, $"{domain}: TXT record found");
            }
        }

        return sawOurs
            ? new DnsCheck(DnsCheckOutcome.WrongToken, string.Create(CultureInfo.InvariantCulture,
                $"{domain}: the {DomainTxtRecord.Prefix} TXT record there does not hold this key's current token (adding the domain again issues a new one; publish the latest)"))
            : NoRecord(domain, "found none");
    }

    private DnsCheck NoRecord(string domain, string why) =>
        new(DnsCheckOutcome.NoRecord, $"{domain}: no TXT record {DomainTxtRecord.Prefix}… at {Resolver} ({why}); publish the record `domains add` printed, then verify again");

    /// <summary>Parses <c>HOST:PORT</c> (an IP address; IPv6 in brackets) or a bare address (port 53); a usage
    /// error naming <paramref name="option"/> otherwise.</summary>
    public static IPEndPoint ParseResolver(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (IPAddress.TryParse(t, out var bare))
        {
            return new IPEndPoint(bare, 53);
        }

        if (IPEndPoint.TryParse(t, out var endpoint) && endpoint.Port > 0)
        {
            return endpoint;
        }

        throw new LeakwatchException(ErrorKind.Usage, $"{option}: '{text}' is not HOST:PORT with an IP address, e.g. 127.0.0.1:53");
    }
}
