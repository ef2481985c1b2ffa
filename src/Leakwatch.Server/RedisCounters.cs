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
/// its bucket would be full again (absent and full are the same), so memory follows the clients of the last minutes.
/// </summary>
internal sealed partial class RedisCounters : IDisposable
{
    public const int CommandTimeoutMs = 500;

    /// <summary>
    /// KEYS: buckets. ARGV[1]: now (Unix ms); then per bucket: capacity, refill per ms, take (1) or only check (0).
    /// Checks the buckets in order and stops at the first without a whole token (the ones before it keep what they
    /// gave, as in-process). Returns {0, 0} when every bucket gave, else {index (1-based), ms until a token}.
    /// A clock behind the stored one (another replica's) refills nothing rather than going back.
    /// </summary>
    private const string BucketScript = """
        local now = tonumber(ARGV[1])
        for i = 1, #KEYS do
          local cap = tonumber(ARGV[3 * i - 1])
          local rate = tonumber(ARGV[3 * i])
          local take = ARGV[3 * i + 1] == '1'
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
          if tokens < 1 then
            return {i, math.ceil((1 - tokens) / rate)}
          end
          if take then
            tokens = tokens - 1
            redis.call('HSET', KEYS[i], 't', tostring(tokens), 'ts', tostring(ts))
            redis.call('PEXPIRE', KEYS[i], math.ceil((cap - tokens) / rate) + 1000)
          end
        end
        return {0, 0}
        """;

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

    /// <summary>Whether Redis is connected now (a request that needs it and finds it down does not wait).</summary>
    public bool IsAvailable => _redis.IsConnected;

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
            values[3 + 3 * i] = b.Take ? 1 : 0;
        }

        var result = await EvaluateAsync(BucketScript, keys, values);
        if (result is null)
        {
            return SharedVerdict.Unavailable;
        }

        var refused = (int)result[0];
        return refused == 0
            ? new SharedVerdict(SharedOutcome.Allowed)
            : new SharedVerdict(SharedOutcome.Refused, refused - 1, (int)Math.Max(1, Math.Ceiling((long)result[1] / 1000.0)));
    }

    /// <summary>Runs a script; null (and a rate-limited log line) when Redis is down, slow or refuses.</summary>
    public async Task<RedisResult[]?> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values)
    {
        if (!_redis.IsConnected)
        {
            return null;
        }

        try
        {
            return (RedisResult[]?)await _db.ScriptEvaluateAsync(script, keys, values);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            NoteFailure(e.GetType().Name);
            return null;
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
