using Leakwatch.Catalog.State;
using Leakwatch.Index;
using Leakwatch.Notify;
using Leakwatch.Notify.Matching;
using Leakwatch.Privacy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// The safety net of matching on publish: the ingest matches its own breach right after publishing it, and when that
/// pass did not finish (the ingest was killed, the state store was briefly down) the next pass makes it up. Every
/// replica checks, every <see cref="Interval"/>, whether the generation it serves lists a breach above the last one it
/// knows to be matched; only then does it ask the state store and, if the marker is behind, run the pass
/// (<see cref="NotificationMatcher"/>, whose rows are never queued twice, so replicas racing do no harm).
/// </summary>
internal sealed partial class NotificationMatchService : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly ExposureService _exposure;
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private long _knownMatched = -1;
    private NotifySealing? _sealing;

    public NotificationMatchService(ExposureService exposure, ServerOptions options, ILogger<NotificationMatchService> log)
    {
        _exposure = exposure;
        _options = options;
        _log = log;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await Task.Run(() => CheckOnce(stoppingToken), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Leakwatch.Core.Errors.LeakwatchException or IOException or System.Data.Common.DbException)
            {
                LogFailed(_log, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void CheckOnce(CancellationToken ct)
    {
        var manifest = _exposure.Current.Manifest;
        var newest = 0;
        foreach (var id in manifest.Breaches)
        {
            newest = Math.Max(newest, id);
        }

        if (newest <= Volatile.Read(ref _knownMatched))
        {
            return;
        }

        // A generation with breaches was published with the key file, so it exists by now.
        _sealing ??= new NotifySealing(KeyFile.Load(_options.KeyFilePath ?? KeyFile.DefaultPathFor(_options.DataDir)));
        using var state = StateStore.Open(_options.State, _options.DataDir);
        var report = new NotificationMatcher(new ExposureIndexStore(_options.DataDir), state, _sealing).CatchUp(DateTimeOffset.UtcNow, ct);
        if (report.Breaches.Count > 0)
        {
            LogMatched(_log, report.Breaches.Count, report.Watchers, report.Queued);
        }

        Volatile.Write(ref _knownMatched, state.MatchedThrough());
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information,
        Message = "Matched {Breaches} newly published breach(es) against {Watchers} subscriptions and monitored identifiers: {Queued} notifications queued")]
    private static partial void LogMatched(ILogger log, int breaches, int watchers, int queued);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Matching newly published breaches failed, retried in 2 s: {Error}")]
    private static partial void LogFailed(ILogger log, string error);
}
