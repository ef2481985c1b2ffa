using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Leakwatch.Server;

/// <summary>
/// The connection to Redis behind <c>serve --redis</c>, and the token buckets counted there. Each check is one
/// Lua script (atomic, one round trip) over all the buckets that apply to a request. It never waits for Redis: while
/// the connection is down, commands fail at once (<see cref="BacklogPolicy.FailFast"/>), a call times out after
/// <see cref="CommandTimeoutMs"/>, and StackExchange.Redis reconnects by itself in the background.
/// Keys name a client only by API key id or network (<c>lw:…</c>), never an identifier; every key expires once
/// its bucket would be full again (absent and full are the same), and not before a minute has passed (so that a lease
/// taken from a fast key's bucket is not undone by the key expiring first), so memory follows the clients of the last
/// minutes.
/// </summary>
internal sealed partial class RedisCounters : IDisposable
{
    public const int CommandTimeoutMs = 500;

    /// <summary>
    /// KEYS: buckets. ARGV[1]: now (Unix ms); then per bucket: capacity, refill per ms, and how many tokens to take
    /// (0: only check that one is there; n: take at least one and up to n, a lease; -n: take exactly n or refuse).
    /// Checks the buckets in order and stops at the first without a whole token (the ones before it keep what they
    /// gave, as in-process). Returns {0, 0, tokens the last taking bucket gave} when every bucket gave, else
    /// {index (1-based), ms until a token, 0}. A clock behind the stored one (another replica's) refills nothing
    /// rather than going back.
    /// </summary>
    private const string BucketScript = """
        local now = tonumber(ARGV[1])
        local granted = 0
        for i = 1, #KEYS do
          local cap = tonumber(ARGV[3 * i - 1])
          local rate = tonumber(ARGV[3 * i])
          local take = tonumber(ARGV[3 * i + 1])
          local s = redis.call('HMGET', KEYS[i], 't', 'ts')
          local tokens, ts = cap, now
          if s[1] then
            tokens = tonumber(s[1])
            ts = tonumber(s[2])
            if now > ts then
              tokens = math.min(cap, tokens + (now - ts) * rate)
              ts = now
            end
          end
          local need = 1
          if take < 0 then need = -take end
          if tokens < need then
            return {i, math.ceil((need - tokens) / rate), 0}
          end
          if take ~= 0 then
            if take < 0 then granted = need else granted = math.min(take, math.floor(tokens)) end
            tokens = tokens - granted
            redis.call('HSET', KEYS[i], 't', tostring(tokens), 'ts', tostring(ts))
            redis.call('PEXPIRE', KEYS[i], math.max(math.ceil((cap - tokens) / rate), 60000) + 1000)
          end
        end
        return {0, 0, granted}
        """;

    /// <summary>The most calls one batch carries (a Lua script's KEYS and ARGV are plain arrays; this keeps one
    /// batch's time in Redis short beside other replicas' batches).</summary>
    private const int MaxBatch = 256;

    /// <summary>
    /// ARGV[1]: the number of calls; then per call: its <see cref="RedisScript"/>, its key count, its value count,
    /// and its values. KEYS: every call's keys in order. Returns one reply per call.
    /// </summary>
    private static readonly string BatchScript = $$"""
        local scripts = {}
        scripts[{{(int)RedisScript.Buckets}}] = function(KEYS, ARGV)
        {{BucketScript}}
        end
        scripts[{{(int)RedisScript.Detector}}] = function(KEYS, ARGV)
        {{SharedScrapingDetector.Script}}
        end
        local out = {}
        local n, ki, ai = tonumber(ARGV[1]), 1, 2
        for i = 1, n do
          local id, nk, na = tonumber(ARGV[ai]), tonumber(ARGV[ai + 1]), tonumber(ARGV[ai + 2])
          ai = ai + 3
          local keys, argv = {}, {}
          for j = 1, nk do keys[j] = KEYS[ki + j - 1] end
          for j = 1, na do argv[j] = ARGV[ai + j - 1] end
          ki, ai = ki + nk, ai + na
          out[i] = scripts[id](keys, argv)
        end
        return out
        """;

    private readonly Lock _gate = new();
    private readonly List<PendingCall> _queue = new(MaxBatch);
    private bool _sending;
    private long _batches;
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _endpoint;
    private long _lastFailureLog = -3_600_000; // an hour before the clock started: the first failure is logged

    public RedisCounters(string endpoint, TimeProvider time, ILoggerFactory logs)
    {
        _endpoint = endpoint;
        _time = time;
        _log = logs.CreateLogger("Leakwatch.Redis");
        var config = Configuration(endpoint);
        Leases = new KeyLeases(time);
        _redis = ConnectionMultiplexer.Connect(config);
        _db = _redis.GetDatabase();
        _redis.ConnectionFailed += (_, e) => NoteFailure(e.FailureType.ToString());
        _redis.ConnectionRestored += (_, _) => LogRestored(_log, _endpoint);
        if (!_redis.IsConnected)
        {
            NoteFailure("not reachable at start");
        }
    }

    /// <summary>Parses <c>HOST:PORT</c> (what <c>--redis</c> takes) into the client's settings: never abort on a failed
    /// connect, short timeouts, fail fast while disconnected, reconnect every half second.</summary>
    /// <exception cref="FormatException">The value is not <c>HOST:PORT</c> (the message names <c>--redis</c>).</exception>
    public static ConfigurationOptions Configuration(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new FormatException($"--redis: '{endpoint}' is not HOST:PORT, e.g. 127.0.0.1:6379");
        }

        var config = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
            SyncTimeout = CommandTimeoutMs,
            AsyncTimeout = CommandTimeoutMs,
            ConnectRetry = 1,
            KeepAlive = 5,
            ReconnectRetryPolicy = new LinearRetry(500),
            BacklogPolicy = BacklogPolicy.FailFast,
            ClientName = "leakwatch",
        };
        config.EndPoints.Add(endpoint[..colon].Trim('[', ']'), port);
        return config;
    }

    /// <summary>This replica's leases of busy keys' tokens.</summary>
    public KeyLeases Leases { get; }

    /// <summary>Whether Redis is connected now (a request that needs it and finds it down does not wait).</summary>
    public bool IsAvailable => _redis.IsConnected;

    /// <summary>How many batches (script calls) have been sent: fewer than the calls whenever calls overlapped.</summary>
    public long BatchesSent => Interlocked.Read(ref _batches);

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Checks and takes the request's buckets in one round trip.</summary>
    public async Task<SharedVerdict> TakeAsync(SharedBucket[] buckets)
    {
        var keys = new RedisKey[buckets.Length];
        var values = new RedisValue[1 + 3 * buckets.Length];
        values[0] = NowMs;
        for (var i = 0; i < buckets.Length; i++)
        {
            var b = buckets[i];
            keys[i] = b.Key;
            values[1 + 3 * i] = b.Capacity;
            values[2 + 3 * i] = b.Capacity / b.Period.TotalMilliseconds;
            values[3 + 3 * i] = !b.Take ? 0 : b.Exact ? -b.Lease : b.Lease;
        }

        var result = await EvaluateAsync(RedisScript.Buckets, keys, values);
        if (result is null)
        {
            return SharedVerdict.Unavailable;
        }

        var refused = (int)result[0];
        return refused == 0
            ? new SharedVerdict(SharedOutcome.Allowed, Granted: (int)result[2])
            : new SharedVerdict(SharedOutcome.Refused, refused - 1, (int)Math.Max(1, Math.Ceiling((long)result[1] / 1000.0)));
    }

    /// <summary>
    /// Runs one of the <see cref="RedisScript"/>s; null (and a rate-limited log line) when Redis is down, slow or
    /// refuses. Calls are group-committed: while one batch is in flight, the calls that arrive wait and go together
    /// in the next, as one <c>EVALSHA</c> of <see cref="BatchScript"/> that runs each call's script in order, so a
    /// busy replica pays one round trip (and Redis one script call) for many requests, and an idle one waits for
    /// nothing. Each call's script sees only its own KEYS and ARGV, as if run alone; a batch is atomic in Redis.
    /// </summary>
    public Task<RedisResult[]?> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] values)
    {
        if (!_redis.IsConnected)
        {
            return Task.FromResult<RedisResult[]?>(null);
        }

        var call = new PendingCall(script, keys, values);
        Enqueue(call);
        return call.Done!.Task;
    }

    /// <summary>Like <see cref="EvaluateAsync"/> without waiting: <paramref name="handler"/> gets the answer (null
    /// when Redis could not be asked) on the sender's thread, and must be quick.</summary>
    public void Send(RedisScript script, RedisKey[] keys, RedisValue[] values, Action<RedisResult[]?> handler)
    {
        if (!_redis.IsConnected)
        {
            handler(null);
            return;
        }

        Enqueue(new PendingCall(script, keys, values, handler));
    }

    private void Enqueue(PendingCall call)
    {
        bool start;
        lock (_gate)
        {
            _queue.Add(call);
            start = !_sending;
            _sending |= start;
        }

        if (start)
        {
            _ = Task.Run(SendLoopAsync);
        }
    }

    /// <summary>Sends what is queued, batch after batch, until the queue is empty.</summary>
    private async Task SendLoopAsync()
    {
        var batch = new List<PendingCall>(MaxBatch);
        while (true)
        {
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _sending = false;
                    return;
                }

                var n = Math.Min(MaxBatch, _queue.Count);
                batch.AddRange(_queue.GetRange(0, n));
                _queue.RemoveRange(0, n);
            }

            await SendAsync(batch);
            Interlocked.Increment(ref _batches);
            batch.Clear();
        }
    }

    private async Task SendAsync(List<PendingCall> batch)
    {
        var keyCount = 0;
        var valueCount = 1;
        foreach (var c in batch)
        {
            keyCount += c.Keys.Length;
            valueCount += 3 + c.Values.Length;
        }

        var keys = new RedisKey[keyCount];
        var values = new RedisValue[valueCount];
        values[0] = batch.Count;
        int k = 0, v = 1;
        foreach (var c in batch)
        {
            values[v++] = (int)c.Script;
            values[v++] = c.Keys.Length;
            values[v++] = c.Values.Length;
            c.Keys.CopyTo(keys, k);
            c.Values.CopyTo(values, v);
            k += c.Keys.Length;
            v += c.Values.Length;
        }

        RedisResult[]? results = null;
        try
        {
            results = (RedisResult[]?)await _db.ScriptEvaluateAsync(BatchScript, keys, values);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            NoteFailure(e.GetType().Name);
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Complete(results is not null && i < results.Length ? (RedisResult[]?)results[i] : null);
        }
    }

    /// <summary>A client network as a key part: its family and bits in hex (what ClientNetwork counts, no more).</summary>
    public static string Net(ClientNetwork network) => network.Family switch
    {
        AddressFamily.InterNetwork => "4-" + ((uint)network.Bits).ToString("x8", CultureInfo.InvariantCulture),
        AddressFamily.InterNetworkV6 => "6-" + ((ulong)(network.Bits >> 64)).ToString("x16", CultureInfo.InvariantCulture),
        _ => "0",
    };

    /// <summary>One line per minute at most, however many requests meet the outage.</summary>
    private void NoteFailure(string reason)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastFailureLog);
        if (now - last < 60_000 || Interlocked.CompareExchange(ref _lastFailureLog, now, last) != last)
        {
            return;
        }

        LogUnreachable(_log, _endpoint, reason);
    }

    public void Dispose() => _redis.Dispose();

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message =
        "Redis at {Endpoint} unreachable ({Reason}): account search and private evaluation answer 503; ranges, the page and " +
        "the catalogue keep serving with their per-IP limits counted in this process until Redis is back (logged at most once a minute)")]
    private static partial void LogUnreachable(ILogger log, string endpoint, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Redis at {Endpoint} reachable again: limits are counted for the cluster")]
    private static partial void LogRestored(ILogger log, string endpoint);
}
