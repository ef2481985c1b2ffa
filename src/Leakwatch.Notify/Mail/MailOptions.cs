using System.Globalization;
using System.Net;
using Leakwatch.Core.Errors;
using MimeKit;

namespace Leakwatch.Notify.Mail;

/// <summary>
/// Where and as whom <c>leakwatch serve</c> sends mail: <c>--smtp smtp://[user:pass@]host[:port]</c>,
/// <c>--smtp-tls none|starttls|tls</c>, <c>--mail-from ADDR</c>, <c>--public-url URL</c> (the base of every link in a
/// mail). Without <c>--smtp</c> there are no options and mail rows wait in the outbox.
/// <para>Defaults when <c>--smtp-tls</c> is left out: <c>none</c> for a relay on a loopback host (a local postfix or
/// a test server, which rarely has a certificate for <c>localhost</c>), <c>tls</c> on port 465, <c>starttls</c>
/// otherwise. The port defaults to 465 with <c>tls</c>, 25 for a loopback relay and 587 (submission) otherwise.</para>
/// <para>The password is only in <see cref="Password"/>: <see cref="ToString"/> and every error message leave it out.</para>
/// </summary>
public sealed record MailOptions
{
    public const string SmtpOption = "--smtp";
    public const string TlsOption = "--smtp-tls";
    public const string FromOption = "--mail-from";
    public const string PublicUrlOption = "--public-url";

    public required string Host { get; init; }

    public required int Port { get; init; }

    public string? UserName { get; init; }

    /// <summary>Never printed.</summary>
    public string? Password { get; init; }

    public required SmtpTlsMode Tls { get; init; }

    public required MailboxAddress From { get; init; }

    /// <summary>The base of links, absolute http(s), without a trailing slash (e.g. <c>https://leakwatch.example</c>).</summary>
    public required string PublicUrl { get; init; }

    /// <summary>The right-hand side of every <c>Message-ID</c>: the public URL's host.</summary>
    public string MessageIdDomain => new Uri(PublicUrl).IdnHost;

    /// <summary>The relay as messages may name it: <c>host:port</c>, never the user's password.</summary>
    public string Endpoint => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The SMTP URL without its password, for logs.</summary>
    public string Display => UserName is null ? $"smtp://{Endpoint}" : $"smtp://{Uri.EscapeDataString(UserName)}@{Endpoint}";

    public override string ToString() => $"{Display} ({Tls.ToString().ToLowerInvariant()}) from {From.Address} links {PublicUrl}";

    /// <summary>Parses the four options; null when <paramref name="smtp"/> is absent (mail stays queued). A usage error
    /// names the option and never echoes a password.</summary>
    public static MailOptions? Parse(string? smtp, string? tls, string? from, string? publicUrl)
    {
        if (string.IsNullOrWhiteSpace(smtp))
        {
            return null;
        }

        var relay = ParseSmtpUrl(smtp);
        var mode = tls is null ? DefaultTls(relay.Host, relay.Port, relay.Secure) : ParseTls(tls);
        if (relay.Secure && mode != SmtpTlsMode.Tls)
        {
            throw Usage(TlsOption, $"'{tls}' contradicts the smtps:// URL, which is TLS from the first byte");
        }

        var port = relay.Port ?? DefaultPort(relay.Host, mode);
        return new MailOptions
        {
            Host = relay.Host,
            Port = port,
            UserName = relay.User,
            Password = relay.Password,
            Tls = mode,
            From = ParseFrom(from),
            PublicUrl = ParsePublicUrl(publicUrl),
        };
    }

    /// <summary>The parts of <c>smtp://[user[:password]@]host[:port]</c> (or <c>smtps://</c>).</summary>
    internal static (string Host, int? Port, string? User, string? Password, bool Secure) ParseSmtpUrl(string url)
    {
        var shown = Redact(url);
        if (url.AsSpan().IndexOfAny('\r', '\n') >= 0 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps"))
        {
            throw Usage(SmtpOption, $"'{shown}' is not an SMTP URL; use smtp://[user:password@]host[:port]");
        }

        if (uri.Host.Length == 0 || uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Usage(SmtpOption, $"'{shown}' needs a host and nothing after the port: smtp://[user:password@]host[:port]");
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (user.Length == 0)
            {
                throw Usage(SmtpOption, $"'{shown}' has a password but no user name");
            }
        }

        int? port = uri.IsDefaultPort || uri.Port <= 0 ? null : uri.Port;
        return (uri.Host.Trim('[', ']'), port, user, password, uri.Scheme == "smtps");
    }

    private static SmtpTlsMode ParseTls(string value) => value.Trim().ToLowerInvariant() switch
    {
        "none" => SmtpTlsMode.None,
        "starttls" => SmtpTlsMode.StartTls,
        "tls" => SmtpTlsMode.Tls,
        _ => throw Usage(TlsOption, $"'{value.ReplaceLineEndings(" ")}' is not one of none, starttls, tls"),
    };

    private static SmtpTlsMode DefaultTls(string host, int? port, bool secure) =>
        secure || port == 465 ? SmtpTlsMode.Tls : IsLoopback(host) ? SmtpTlsMode.None : SmtpTlsMode.StartTls;

    private static int DefaultPort(string host, SmtpTlsMode mode) =>
        mode == SmtpTlsMode.Tls ? 465 : IsLoopback(host) ? 25 : 587;

    internal static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    private static MailboxAddress ParseFrom(string? from)
    {
        if (string.IsNullOrWhiteSpace(from))
        {
            throw Usage(FromOption, "is required with --smtp (the sender of every mail, e.g. alerts@leakwatch.example)");
        }

        if (from.AsSpan().IndexOfAny('\r', '\n') >= 0 || !MailboxAddress.TryParse(from, out var mailbox) || mailbox.Address.IndexOf('@', StringComparison.Ordinal) <= 0)
        {
            throw Usage(FromOption, $"'{from.ReplaceLineEndings(" ")}' is not a mail address (e.g. alerts@leakwatch.example or \"Leakwatch <alerts@leakwatch.example>\")");
        }

        return mailbox;
    }

    private static string ParsePublicUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            throw Usage(PublicUrlOption, "is required with --smtp (the base of the links in mails, e.g. https://leakwatch.example)");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0 || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw Usage(PublicUrlOption, $"'{url.ReplaceLineEndings(" ")}' is not an absolute http(s) URL without user, query or fragment");
        }

        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The URL with any password replaced by <c>***</c>, as <c>--state</c> does; a value without a scheme
    /// (<c>user:pass@host</c>) too, since that is the likeliest typo.</summary>
    internal static string Redact(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var at = url.LastIndexOf('@');
        var colon = at < start ? -1 : url.IndexOf(':', start, at - start);
        var shown = colon < 0 ? url : string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at));
        return shown.ReplaceLineEndings(" ");
    }

    private static LeakwatchException Usage(string option, string message) =>
        new(ErrorKind.Usage, string.Create(CultureInfo.InvariantCulture, $"{option}: {message}"));
}
