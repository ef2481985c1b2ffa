using System.Collections.Concurrent;
using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Leakwatch.Notify.Delivery;

/// <summary>
/// Delivers the outbox: claims due rows (<see cref="StateStore.ClaimDue(int, DateTimeOffset, TimeSpan, IReadOnlyCollection{OutboxChannel})"/>,
/// a lease that keeps other replicas off them), hands each to the channel of its kind with at most
/// <see cref="DeliveryLoopOptions.PerDestination"/> at a time per destination, and records what came of it:
/// delivered; retried after <see cref="RetrySchedule"/>; dead-lettered. Rows of a channel this process has not
/// registered are never claimed, so they wait for a process that has. A row is marked only after its attempt, so a
/// process killed mid-delivery leaves it to be delivered again, under the same message id, once the lease ends.
/// Deliveries are recorded in groups of <see cref="AckGroup"/> (and whatever is left when a batch ends).
/// </summary>
public sealed partial class DeliveryLoop
{
    private readonly StateStore _store;
    private readonly Dictionary<OutboxChannel, IDeliveryChannel> _channels = [];
    private readonly OutboxChannel[] _claimable;
    private readonly DeliveryLoopOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _destinations = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _ackLock = new();
    private readonly List<long> _delivered = [];

    /// <summary>Deliveries acknowledged per transaction. A commit a mail (an fsync on SQLite, a round trip on
    /// PostgreSQL, serialised on the store) cost more than the mail's SMTP exchange on loopback; a group of 16 costs one.
    /// What a crash can repeat grows by as much: up to this many delivered rows not yet recorded go out again after
    /// the lease, under the same message ids (at least once, as before).</summary>
    public const int AckGroup = 16;

    public DeliveryLoop(StateStore store, IEnumerable<IDeliveryChannel> channels, DeliveryLoopOptions? options = null,
        TimeProvider? time = null, ILogger? log = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentNullException.ThrowIfNull(channels);
        foreach (var channel in channels)
        {
            if (!_channels.TryAdd(channel.Channel, channel))
            {
                throw new ArgumentException($"two delivery channels for {channel.Channel}", nameof(channels));
            }
        }

        _claimable = [.. _channels.Keys];
        _options = options ?? new DeliveryLoopOptions();
        _time = time ?? TimeProvider.System;
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>Looks at the outbox now rather than at the next poll (call it after enqueuing).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Delivers until <paramref name="ct"/> is cancelled. An unreachable state store is logged and retried
    /// at the next poll; it never ends the loop.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var storeDown = false;
        while (!ct.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await RunOnceAsync(ct);
                storeDown = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (LeakwatchException e) when (e.Kind == ErrorKind.StateUnavailable || e.Kind == ErrorKind.DataDir)
            {
                if (!storeDown)
                {
                    LogStoreDown(_log, e.Message);
                }

                storeDown = true;
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                // Whatever else went wrong, the server keeps serving lookups and the loop tries again at the next poll:
                // an exception out of a hosted service would stop the whole host.
                LogFailed(_log, e.GetType().Name, e.Message.ReplaceLineEndings(" "));
            }

            if (claimed < _options.BatchSize)
            {
                try
                {
                    await _wake.WaitAsync(_options.PollInterval, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims one batch of due rows, delivers them and records the outcomes; returns how many were claimed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        if (_claimable.Length == 0)
        {
            return 0;
        }

        var rows = _store.ClaimDue(_options.BatchSize, _time.GetUtcNow(), _options.Lease, _claimable);
        if (rows.Count == 0)
        {
            return 0;
        }

        var work = new Task[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            work[i] = DeliverAsync(rows[i], ct);
        }

        try
        {
            await Task.WhenAll(work);
        }
        finally
        {
            // The batch's last deliveries (a group not full yet) are recorded before the next claim, however it ended.
            FlushAcks();
        }

        return rows.Count;
    }

    private async Task DeliverAsync(OutboxItem row, CancellationToken ct)
    {
        var channel = _channels[row.Channel];
        DeliveryOutcome outcome;
        var gate = _destinations.GetOrAdd(channel.Destination(row), _ => new SemaphoreSlim(_options.PerDestination, _options.PerDestination));
        await gate.WaitAsync(ct);
        try
        {
            // Channels read the store synchronously, and an await on a socket (SMTP, HTTP, a released gate) may resume
            // on the socket engine's thread when the server runs with inline completions (serve's default): a blocking
            // PostgreSQL read there waits for the very thread it blocks. So every step starts on the thread pool.
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            outcome = await channel.DeliverAsync(row, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the row stays claimed until its lease ends, then it is delivered again.
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A channel bug must not stop the others; its message may quote what it was sending, so only the type.
            outcome = DeliveryOutcome.Retry($"{row.Channel} channel failed: {e.GetType().Name}");
        }
        finally
        {
            gate.Release();
        }

        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        Record(row, outcome);
    }

    private void Record(OutboxItem row, DeliveryOutcome outcome)
    {
        var now = _time.GetUtcNow();
        var error = OneLine(outcome.Error ?? outcome.Result.ToString());
        switch (outcome.Result)
        {
            case DeliveryResult.Delivered:
                List<long>? group = null;
                lock (_ackLock)
                {
                    _delivered.Add(row.Id);
                    if (_delivered.Count >= AckGroup)
                    {
                        group = [.. _delivered];
                        _delivered.Clear();
                    }
                }

                if (group is not null)
                {
                    _store.MarkDelivered(group, now);
                }

                break;
            case DeliveryResult.Retry when RetrySchedule.RetryAt(row.Attempts + 1, now) is { } retryAt:
                _store.MarkFailed(row.Id, error, retryAt, now);
                LogRetry(_log, row.Id, row.Channel, row.Attempts + 1, retryAt, error);
                break;
            default:
                _store.MarkFailed(row.Id, error, null, now);
                LogDead(_log, row.Id, row.Channel, row.Attempts + 1, error);
                break;
        }
    }

    private void FlushAcks()
    {
        List<long> group;
        lock (_ackLock)
        {
            if (_delivered.Count == 0)
            {
                return;
            }

            group = [.. _delivered];
            _delivered.Clear();
        }

        _store.MarkDelivered(group, _time.GetUtcNow());
    }

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 300 ? line : line[..300];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery: the state store is unreachable ({Error}); retrying")]
    private static partial void LogStoreDown(ILogger log, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery: a pass failed ({Type}: {Error}); trying again")]
    private static partial void LogFailed(ILogger log, string type, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery: outbox row {Id} ({Channel}) failed attempt {Attempt}, retry at {RetryAt:u}: {Error}")]
    private static partial void LogRetry(ILogger log, long id, OutboxChannel channel, int attempt, DateTimeOffset retryAt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery: outbox row {Id} ({Channel}) dead-lettered after attempt {Attempt}: {Error}")]
    private static partial void LogDead(ILogger log, long id, OutboxChannel channel, int attempt, string error);
}
