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
/// deliver, so nothing runs and mail rows wait (said once in the log).
/// </summary>
internal sealed partial class DeliveryService(ServerOptions options, ILogger<DeliveryService> log) : BackgroundService
{
    private static readonly TimeSpan OpenRetry = TimeSpan.FromSeconds(5);

    private DeliveryLoop? _loop;

    /// <summary>Delivers what was just enqueued now rather than at the next poll.</summary>
    public void Wake() => Volatile.Read(ref _loop)?.Wake();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Mail is not { } mail)
        {
            LogNoSmtp(log);
            return;
        }

        await Task.Yield();
        using var store = await OpenStoreAsync(stoppingToken);
        if (store is null)
        {
            return;
        }

        var keys = KeyFile.Load(options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir));
        using var smtp = new SmtpDeliveryChannel(mail, new MailComposer(mail, store, new NotifySealing(keys), options.TimeProvider),
            options.Delivery.PerDestination);
        var loop = new DeliveryLoop(store, [smtp], options.Delivery, options.TimeProvider, log);
        Volatile.Write(ref _loop, loop);
        LogMail(log, mail.Display, mail.Tls, mail.From.Address, mail.PublicUrl);
        await loop.RunAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail: no --smtp, so subscriptions work but their mails wait in the outbox until a server with --smtp delivers them")]
    private static partial void LogNoSmtp(ILogger log);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail: delivering through {Relay} (TLS {Tls}) from {From}; links to {PublicUrl}")]
    private static partial void LogMail(ILogger log, string relay, SmtpTlsMode tls, string from, string publicUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail: the state store cannot be opened ({Error}); delivery waits for it")]
    private static partial void LogStoreDown(ILogger log, string error);
}
