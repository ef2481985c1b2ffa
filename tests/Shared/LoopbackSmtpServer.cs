using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.IO;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Leakwatch.TestSupport;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port. It keeps every mail it is sent, accepted or
/// not; <see cref="RefuseNext"/> makes it answer the next DATA with a reply code (451: try again later), and
/// <see cref="RefusedRecipients"/> are refused at RCPT TO with 550.
/// </summary>
internal sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly ConcurrentQueue<SmtpReplyCode> _refusals = new();
    private int _sessions;
    private int _answersPending;

    public LoopbackSmtpServer()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        services.Add(new NoDelayListenerFactory());
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessions);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public string Url => $"smtp://127.0.0.1:{Port}";

    public ConcurrentQueue<ReceivedMail> Received { get; } = new();

    public ConcurrentDictionary<string, bool> RefusedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>SMTP sessions opened so far (one per connection).</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    public List<ReceivedMail> Accepted => Received.Where(m => m.Accepted).ToList();

    /// <summary>Mails received whose answer is still being held back by <see cref="AnswerDelay"/>.</summary>
    public int AnswersPending => Volatile.Read(ref _answersPending);

    public void RefuseNext(SmtpReplyCode code) => _refusals.Enqueue(code);

    /// <summary>How long the server takes to answer each DATA: a slow relay, to catch a sender mid-delivery.</summary>
    public TimeSpan AnswerDelay { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
        }
        catch (TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class Store(LoopbackSmtpServer owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            var raw = buffer.ToArray();
            var message = await MimeMessage.LoadAsync(new MemoryStream(raw), cancellationToken);
            var delay = owner.AnswerDelay;
            if (delay > TimeSpan.Zero)
            {
                // Kept even if the sender is gone by the time of the answer (RFC 1047's duplicate): the sender never
                // saw the 250, so it sends the mail again.
                Interlocked.Increment(ref owner._answersPending);
                await Task.Delay(delay, CancellationToken.None);
            }

            var refused = owner._refusals.TryDequeue(out var code);
            owner.Received.Enqueue(new ReceivedMail(transaction.From.AsAddress(), transaction.To.Select(t => t.AsAddress()).ToList(), raw, message, !refused));
            if (delay > TimeSpan.Zero)
            {
                Interlocked.Decrement(ref owner._answersPending);
            }

            return refused ? new SmtpResponse(code, "Try again later") : SmtpResponse.Ok;
        }
    }

    /// <summary>Accepts connections as the package's own listener does, with Nagle off, as a production MTA answers: the
    /// package writes each reply to pipelined commands (MAIL, RCPT, DATA) on its own, and with Nagle every reply after
    /// the first waited for the sender's delayed ACK (40 ms on Linux), which was then most of the time a mail took. No
    /// STARTTLS (the tests' server has no certificate).</summary>
    private sealed class NoDelayListenerFactory : IEndpointListenerFactory
    {
        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
        {
            var listener = new TcpListener(endpointDefinition.Endpoint);
            listener.Start();
            return new NoDelayListener(listener);
        }
    }

    private sealed class NoDelayListener(TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
            context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint!);
            return new PlainPipe(client);
        }

        public void Dispose() => listener.Stop();
    }

    private sealed class PlainPipe : ISecurableDuplexPipe
    {
        private readonly TcpClient _client;

        public PlainPipe(TcpClient client)
        {
            _client = client;
            var stream = client.GetStream();
            Input = PipeReader.Create(stream);
            Output = PipeWriter.Create(stream);
        }

        public PipeReader Input { get; }

        public PipeWriter Output { get; }

        public bool IsSecure => false;

        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("the loopback SMTP server has no certificate");

        public void Dispose() => _client.Dispose();
    }

    private sealed class Filter(LoopbackSmtpServer owner) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!owner.RefusedRecipients.ContainsKey(to.AsAddress()));
    }
}
