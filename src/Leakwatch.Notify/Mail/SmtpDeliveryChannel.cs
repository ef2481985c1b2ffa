using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Leakwatch.Catalog.State;
using Leakwatch.Notify.Delivery;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Leakwatch.Notify.Mail;

/// <summary>
/// Delivers mail rows to the one SMTP relay of <see cref="MailOptions"/> (MailKit). Connections are kept and reused
/// (up to <c>maxConnections</c> idle ones; the delivery loop runs at most its per-destination limit at once), and a
/// reused connection the relay has closed meanwhile is replaced once at no cost to the row. Every attempt is cut
/// at 10 s. SMTP 4xx and connection failures are retried; a 5xx refusal of the recipient or the message is final.
/// No outcome names the address.
/// </summary>
public sealed partial class SmtpDeliveryChannel : IDeliveryChannel, IDisposable
{
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly MailOptions _options;
    private readonly MailComposer _composer;
    private readonly int _maxIdle;
    private readonly ConcurrentBag<SmtpClient> _idle = [];
    private int _disposed;

    public SmtpDeliveryChannel(MailOptions options, MailComposer composer, int maxConnections = 4)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _composer = composer ?? throw new ArgumentNullException(nameof(composer));
        _maxIdle = Math.Max(1, maxConnections);
    }

    public OutboxChannel Channel => OutboxChannel.Mail;

    /// <summary>How many SMTP connections were opened (each then carries many mails).</summary>
    public int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    private int _connectionsOpened;

    /// <summary>Every mail goes through the one relay.</summary>
    public string Destination(OutboxItem item) => _options.Endpoint;

    public async Task<DeliveryOutcome> DeliverAsync(OutboxItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!_composer.TryCompose(item, out var message, out var problem))
        {
            return DeliveryOutcome.Dead(problem ?? "the mail cannot be composed");
        }

        var recipient = ((MailboxAddress)message!.To[0]).Address;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(AttemptTimeout);
        for (var attempt = 0; ; attempt++)
        {
            var (client, reused) = TakeIdle();
            try
            {
                client ??= await ConnectAsync(timeout.Token);
                await client.SendAsync(message, timeout.Token);
                Return(client);
                return DeliveryOutcome.Delivered;
            }
            catch (SmtpCommandException e)
            {
                Discard(client);
                return Refused(e, recipient);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Discard(client);
                throw;
            }
            catch (OperationCanceledException)
            {
                Discard(client);
                return DeliveryOutcome.Retry($"SMTP {_options.Endpoint}: no answer within {AttemptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            }
            catch (Exception e) when (IsConnectionFailure(e))
            {
                Discard(client);
                if (reused && attempt == 0)
                {
                    // The relay closed an idle connection (they do after a few minutes): try once on a new one.
                    continue;
                }

                return DeliveryOutcome.Retry($"SMTP {_options.Endpoint}: {e.GetType().Name}: {Clean(e.Message, recipient)}");
            }
        }
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or SslHandshakeException
            or AuthenticationException or ServiceNotAuthenticatedException or TimeoutException or ProtocolException;

    /// <summary>A refusal: 5xx for this recipient or this message is final; 4xx, and 5xx for the sender or the session
    /// (the relay's configuration, not this row), are retried.</summary>
    private DeliveryOutcome Refused(SmtpCommandException e, string recipient)
    {
        var code = (int)e.StatusCode;
        var error = $"SMTP {code.ToString(CultureInfo.InvariantCulture)} from {_options.Endpoint} ({e.ErrorCode}): {Clean(e.Message, recipient)}";
        return code >= 500 && e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted
            ? DeliveryOutcome.Dead(error)
            : DeliveryOutcome.Retry(error);
    }

    /// <summary>The relay's text as one short line with the recipient taken out: relays quote it ("&lt;a@b&gt;:
    /// Recipient address rejected"), and the outbox keeps errors in the clear.</summary>
    internal static string Clean(string text, string recipient)
    {
        var line = Addresses().Replace(text.ReplaceLineEndings(" "), "<address>");
        if (recipient.Length > 0)
        {
            line = line.Replace(recipient, "<address>", StringComparison.OrdinalIgnoreCase);
            var at = recipient.IndexOf('@', StringComparison.Ordinal);
            if (at >= 3)
            {
                line = line.Replace(recipient[..at], "<address>", StringComparison.OrdinalIgnoreCase);
            }
        }

        return line.Length <= 200 ? line : string.Concat(line.AsSpan(0, 199), "…");
    }

    private (SmtpClient? Client, bool Reused) TakeIdle()
    {
        while (_idle.TryTake(out var client))
        {
            if (client.IsConnected)
            {
                return (client, true);
            }

            client.Dispose();
        }

        return (null, false);
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = (int)AttemptTimeout.TotalMilliseconds };
        try
        {
            var security = _options.Tls switch
            {
                SmtpTlsMode.None => SecureSocketOptions.None,
                SmtpTlsMode.Tls => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            // Nagle off: SMTP is a conversation of small writes, and with Nagle and the relay's delayed ACKs each
            // mail waits tens of milliseconds for nothing.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(_options.Host, _options.Port, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            await client.ConnectAsync(socket, _options.Host, _options.Port, security, ct);
            if (_options.UserName is { } user)
            {
                await client.AuthenticateAsync(Encoding.UTF8, user, _options.Password ?? "", ct);
            }

            Interlocked.Increment(ref _connectionsOpened);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private void Return(SmtpClient client)
    {
        if (Volatile.Read(ref _disposed) == 0 && _idle.Count < _maxIdle)
        {
            _idle.Add(client);
        }
        else
        {
            Discard(client);
        }
    }

    private static void Discard(SmtpClient? client)
    {
        if (client is null)
        {
            return;
        }

        try
        {
            if (client.IsConnected)
            {
                client.Disconnect(quit: false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Closing a broken connection: nothing to report.
        }

        client.Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        while (_idle.TryTake(out var client))
        {
            try
            {
                if (client.IsConnected)
                {
                    client.Disconnect(quit: true);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException)
            {
                // The relay went away first.
            }

            client.Dispose();
        }
    }

    [GeneratedRegex(@"<?[^\s<>@]+@[^\s<>]+>?", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Addresses();
}
