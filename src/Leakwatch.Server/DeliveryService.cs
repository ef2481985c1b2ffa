using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Leakwatch.Notify;
using Leakwatch.Notify.Delivery;
using Leakwatch.Notify.Mail;
using Leakwatch.Privacy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// Runs the <see cref="DeliveryLoop"/> over the state store's outbox while the server runs. Every replica may run one:
/// the store's claim leases each row to one of them. Without <see cref="ServerOptions.Mail"/> there is no channel to
/// deliver mail, so mail rows wait (said once in the log) while webhooks are delivered.
/// </summary>
internal sealed partial class DeliveryService(ServerOptions options, ILogger<DeliveryService> log) : BackgroundService
{
    private static readonly TimeSpan OpenRetry = TimeSpan.FromSeconds(5);

    private DeliveryLoop? _loop;

    /// <summary>Delivers what was just enqueued now rather than at the next poll.</summary>
    public void Wake() => Volatile.Read(ref _loop)?.Wake();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var mail = options.Mail;
        if (mail is null)
        {
            LogNoSmtp(log);
        }

        await Task.Yield();
        using var store = await OpenStoreAsync(stoppingToken);
        if (store is null)
        {
            return;
        }

        var keys = await LoadKeysAsync(stoppingToken);
        if (keys is null)
        {
            return;
        }

        var sealing = new NotifySealing(keys);
        // Webhooks need nothing configured: every server delivers them. Mail needs a relay.
        using var webhooks = new WebhookDeliveryChannel(store, sealing, new WebhookDeliveryOptions
        {
            AllowPrivate = options.AllowPrivateWebhooks,
            PublicUrl = mail?.PublicUrl,
            Time = options.TimeProvider,
        });
        using var smtp = mail is null ? null : new SmtpDeliveryChannel(mail, new MailComposer(mail, store, sealing, options.TimeProvider),
            options.Delivery.PerDestination);
        IDeliveryChannel[] channels = smtp is null ? [webhooks] : [smtp, webhooks];
        var loop = new DeliveryLoop(store, channels, options.Delivery, options.TimeProvider, log);
        Volatile.Write(ref _loop, loop);
        if (mail is not null)
        {
            LogMail(log, mail.Display, mail.Tls, mail.From.Address, mail.PublicUrl);
        }

        await loop.RunAsync(stoppingToken);
    }

    /// <summary>The key file (payloads and secrets open with it); a server started before the first ingest waits for it.</summary>
    private async Task<KeyFile?> LoadKeysAsync(CancellationToken ct)
    {
        var path = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
        while (!ct.IsCancellationRequested)
        {
            if (File.Exists(path))
            {
                return KeyFile.Load(path);
            }

            try
            {
                await Task.Delay(OpenRetry, options.TimeProvider, ct);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Opens the state store for writing (claims and outcomes are writes); while it is unreachable, tries
    /// again every few seconds rather than stopping the server, which serves lookups without it.</summary>
    private async Task<StateStore?> OpenStoreAsync(CancellationToken ct)
    {
        var logged = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                return StateStore.Open(options.State, options.DataDir);
            }
            catch (LeakwatchException e) when (e.Kind is ErrorKind.StateUnavailable or ErrorKind.DataDir)
            {
                if (!logged)
                {
                    LogStoreDown(log, e.Message);
                    logged = true;
                }
            }

            try
            {
                await Task.Delay(OpenRetry, options.TimeProvider, ct);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail: no --smtp, so subscriptions work but their mails wait in the outbox until a server with --smtp delivers them; webhooks are delivered")]
    private static partial void LogNoSmtp(ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail: delivering through {Relay} (TLS {Tls}) from {From}; links to {PublicUrl}")]
    private static partial void LogMail(ILogger log, string relay, SmtpTlsMode tls, string from, string publicUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail: the state store cannot be opened ({Error}); delivery waits for it")]
    private static partial void LogStoreDown(ILogger log, string error);
}
