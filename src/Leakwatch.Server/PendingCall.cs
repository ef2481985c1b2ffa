using StackExchange.Redis;

namespace Leakwatch.Server;

/// <summary>
/// One script call waiting for its batch (<see cref="RedisCounters.EvaluateAsync"/>): either awaited
/// (<see cref="Done"/>), or sent without waiting, its answer handed to <see cref="Handler"/> on the sender's thread.
/// </summary>
internal sealed class PendingCall(RedisScript script, RedisKey[] keys, RedisValue[] values, Action<RedisResult[]?>? handler = null)
{
    public RedisScript Script { get; } = script;

    public RedisKey[] Keys { get; } = keys;

    public RedisValue[] Values { get; } = values;

    public Action<RedisResult[]?>? Handler { get; } = handler;

    /// <summary>Completed by the sender; continuations run on the pool, not on the sender's thread. Null for a call
    /// with a <see cref="Handler"/>.</summary>
    public TaskCompletionSource<RedisResult[]?>? Done { get; } = handler is null ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;

    public void Complete(RedisResult[]? result)
    {
        if (Done is not null)
        {
            Done.TrySetResult(result);
            return;
        }

        try
        {
            Handler!(result);
        }
#pragma warning disable CA1031 // a handler's failure must not stop the batches of every other request
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
