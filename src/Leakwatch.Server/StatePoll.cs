using Leakwatch.Catalog.State;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// Follows a PostgreSQL state store: reads its revision every <c>StatePollInterval</c> (one tiny query on a pooled
/// connection) and calls back when it moved, so a key created or a breach changed anywhere reaches this replica
/// within about a second. Requests never wait for it: they are answered from what the server holds. When PostgreSQL
/// cannot be reached it logs one line, keeps serving, and calls back once it answers again.
/// </summary>
internal sealed partial class StatePoll : IDisposable
{
    private readonly StateLocation _state;
    private readonly ILogger _log;
    private readonly Action _changed;
    private readonly Timer _timer;
    private string _revision;
    private bool _down;
    private int _polling;
    private bool _changeFailing;

    public StatePoll(StateLocation state, string revision, TimeSpan interval, ILogger log, Action changed)
    {
        _state = state;
        _revision = revision;
        _log = log;
        _changed = changed;
        _timer = new Timer(_ => Poll(), null, interval, interval);
    }

    /// <summary>The last revision read.</summary>
    public string Revision => Volatile.Read(ref _revision);

    private void Poll()
    {
        if (Interlocked.Exchange(ref _polling, 1) != 0)
        {
            return; // the previous poll is still waiting on a connect timeout
        }

        try
        {
            var revision = StateStore.ReadRevision(_state, "");
            var recovered = _down;
            _down = false;
            if (recovered)
            {
                LogBack(_log, _state.Endpoint);
            }

            if (recovered || revision != Volatile.Read(ref _revision))
            {
                Volatile.Write(ref _revision, revision);
                Changed();
            }
        }
        catch (Leakwatch.Core.Errors.LeakwatchException e)
        {
            if (!_down)
            {
                _down = true;
                LogDown(_log, _state.Endpoint, e.Message);
            }

            // Connections the restart broke would each fail once more: start the pool afresh.
            PostgresStateStore.ClearPool(_state);
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>
    /// The callback reloads files and rows a publish may be replacing at that moment. Whatever it throws is logged
    /// and the next poll tries again: an exception escaping a timer callback would end the whole replica.
    /// </summary>
    private void Changed()
    {
        try
        {
            _changed();
            _changeFailing = false;
        }
#pragma warning disable CA1031 // a timer callback must not let anything escape; the next change retries
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Forget the revision, so that the next poll reloads again; one line per run of failures.
            Volatile.Write(ref _revision, "");
            if (!_changeFailing)
            {
                _changeFailing = true;
                LogChangeFailed(_log, e.GetType().Name, e.Message);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading after a state change failed ({Type}: {Message}); every poll tries again until it succeeds")]
    private static partial void LogChangeFailed(ILogger log, string type, string message);

    // Messages name the endpoint and the URL without its password, never an identifier.
    [LoggerMessage(Level = LogLevel.Warning, Message = "State store {Endpoint} unreachable, serving the catalogue and API keys held until it answers again: {Message}")]
    private static partial void LogDown(ILogger log, string endpoint, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "State store {Endpoint} answers again; reloading the catalogue and API keys")]
    private static partial void LogBack(ILogger log, string endpoint);
}
