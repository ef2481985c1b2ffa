using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Privacy;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Leakwatch.Server;

/// <summary>
/// The enumeration detector of <see cref="ScrapingDetector"/> with its state in Redis (<c>serve --redis</c>), so a walk
/// spread over replicas is seen as one: the same rules, windows, horizons and blocks, judged by one Lua script per
/// account search that checks the blocks, records the lookup and evaluates, atomically.
/// <para>What Redis holds per client (API key id, or network) and nothing more: the lookup's time, whether it hit,
/// and a keyed fingerprint of its index key (<see cref="DetectorHasher.Lookup"/>); for a phone, instead of the
/// number, the keyed fingerprints of its block of <see cref="EnumerationRules.PhoneMaxGap"/> numbers and of the
/// next block, and its offset in the block (its last digits). Two numbers at most the gap apart sit in the same or in
/// adjacent blocks, so the script rebuilds the distances the sequential-phones rule needs, and nothing else, without
/// the key file. Lists are trimmed to the rule windows and every key expires after the client's horizon (or its
/// block), so memory follows the clients of the last minutes.</para>
/// </summary>
internal sealed class SharedScrapingDetector
{
    /// <summary>
    /// KEYS: per client (the key, then the network if judged): meta hash, lookups list, phones list.
    /// ARGV: now, keyId, rpm, record (1) or only check (0), lookup entry "hit:fingerprint", phone entry
    /// "offset:block:nextBlock" or "", then the rules: horizon ms, lookup window, phone window, in-run threshold,
    /// gap (block size), min run, low-hit min distinct, low-hit max ratio, block ms, low-hit min span ms.
    /// Returns {1, ms left, which client} when blocked already; else {0, 0} followed by, per client judged, {blocked now (0/1),
    /// rule (1 sequential-phones, 2 low-hit-rate), phone lookups, in runs, lookups, distinct, hits}.
    /// </summary>
    internal const string Script = """
        local now = tonumber(ARGV[1])
        local clients = #KEYS / 3
        local function blockedUntil(meta)
          local v = redis.call('HGET', meta, 'bu')
          if v then return tonumber(v) end
          return 0
        end
        local u, who = 0, 0
        for c = 1, clients do
          local b = blockedUntil(KEYS[3 * c - 2])
          if b > u then u, who = b, c end
        end
        if u > now then return {1, u - now, who} end
        if ARGV[4] ~= '1' then return {0, 0} end

        local keyId, keyRpm, entry, phone = ARGV[2], math.max(1, tonumber(ARGV[3])), ARGV[5], ARGV[6]
        local horizon, lookupWindow, phoneWindow = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
        local threshold, gap, minRun = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
        local minDistinct, maxRatio, blockMs, minSpan = tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16])
        local hit = string.sub(entry, 1, 1) == '1'
        local out = {0, 0}

        local function countInRuns(items)
          -- Chains of adjacent blocks give each number a position; chains lie far apart.
          local blocks, nxt, hasPred, pos = {}, {}, {}, {}
          for _, it in ipairs(items) do blocks[it[2]] = true; nxt[it[2]] = it[3] end
          for b in pairs(blocks) do if blocks[nxt[b]] then hasPred[nxt[b]] = true end end
          local chain, span = 0, gap * (phoneWindow + 2)
          for b in pairs(blocks) do
            if not hasPred[b] then
              local x, j = b, 0
              while x and blocks[x] and not pos[x] do pos[x] = chain * span + j * gap; j = j + 1; x = nxt[x] end
              chain = chain + 1
            end
          end
          local v = {}
          for _, it in ipairs(items) do if pos[it[2]] then v[#v + 1] = pos[it[2]] + it[1] end end
          table.sort(v)
          local total, run = 0, 0
          if #v > 0 then run = 1 end
          for i = 2, #v + 1 do
            if i <= #v and v[i] == v[i - 1] then
            elseif i <= #v and v[i] - v[i - 1] <= gap then run = run + 1
            else
              if run >= minRun then total = total + run end
              run = 1
            end
          end
          return total
        end

        for c = 1, clients do
          local meta, lkey, pkey = KEYS[3 * c - 2], KEYS[3 * c - 1], KEYS[3 * c]
          local m = redis.call('HMGET', meta, 'rpm', 'k1', 'many', 'el', 'eh', 'et', 'lh')
          local lh = tonumber(m[7] or '0')
          local rpm = keyRpm
          if m[1] then rpm = math.min(tonumber(m[1]), keyRpm) end
          local many = m[3] == '1' or (m[2] and m[2] ~= keyId)
          local el, eh = 0, 0
          if m[4] then
            local d = 1
            if now > tonumber(m[6]) then d = math.exp(-(now - tonumber(m[6])) / math.max(1, minSpan)) end
            el, eh = tonumber(m[4]) * d, tonumber(m[5]) * d
          end
          el = el + 1
          if hit then eh = eh + 1 end
          -- The window's hit count is kept beside it, so judging needs no scan while the window is within the horizon.
          local n = redis.call('LPUSH', lkey, tostring(now) .. ':' .. entry)
          if hit then lh = lh + 1 end
          while n > lookupWindow do
            if string.match(redis.call('RPOP', lkey), '^%d+:(%d)') == '1' then lh = lh - 1 end
            n = n - 1
          end
          redis.call('HSET', meta, 'rpm', rpm, 'k1', m[2] or keyId, 'many', many and '1' or '0', 'el', tostring(el), 'eh', tostring(eh), 'et', tostring(now), 'lh', lh)
          if phone ~= '' then
            redis.call('LPUSH', pkey, tostring(now) .. ':' .. phone)
            redis.call('LTRIM', pkey, 0, phoneWindow - 1)
          end
          local h = math.max(horizon, lookupWindow * 1.25 / rpm * 60000)
          for _, k in ipairs({meta, lkey, pkey}) do redis.call('PEXPIRE', k, math.ceil(h) + 60000) end

          -- A network seen with one key only is that key, already judged.
          if c == 1 or many then
            local since = now - h
            local phoneCount, inRuns = 0, 0
            if phone ~= '' then
              local items = {}
              for _, e in ipairs(redis.call('LRANGE', pkey, 0, -1)) do
                local ts, off, b, nb = string.match(e, '^(%d+):(%d+):(%x+):(%x+)$')
                if tonumber(ts) >= since then items[#items + 1] = {tonumber(off), b, nb} end
              end
              phoneCount = #items
              if phoneCount >= threshold then inRuns = countInRuns(items) end
            end
            local lookups, hits, oldest, distinct = n, lh, tonumber(string.match(redis.call('LINDEX', lkey, -1), '^(%d+)')), 0
            local recent = nil
            if oldest < since then
              -- Part of the window is past the horizon (a slow key, or a pause): count what is within it.
              lookups, hits, oldest, recent = 0, 0, now, {}
              for _, e in ipairs(redis.call('LRANGE', lkey, 0, -1)) do
                local ts, eh2, fp = string.match(e, '^(%d+):(%d):(%x+)$')
                ts = tonumber(ts)
                if ts >= since then
                  lookups = lookups + 1
                  if eh2 == '1' then hits = hits + 1 end
                  if ts < oldest then oldest = ts end
                  recent[#recent + 1] = fp
                end
              end
            end
            if lookups >= minDistinct and hits <= maxRatio * lookups and (now - oldest >= minSpan or eh <= maxRatio * el) then
              if recent == nil then
                recent = {}
                for _, e in ipairs(redis.call('LRANGE', lkey, 0, -1)) do recent[#recent + 1] = string.match(e, '(%x+)$') end
              end
              local seen = {}
              for _, fp in ipairs(recent) do if not seen[fp] then seen[fp] = true; distinct = distinct + 1 end end
            end
            local rule = 0
            if inRuns >= threshold then rule = 1 elseif distinct >= minDistinct then rule = 2 end
            if rule > 0 then
              redis.call('HSET', meta, 'bu', tostring(now + blockMs), 'el', '0', 'eh', '0', 'lh', '0')
              redis.call('DEL', lkey, pkey)
              redis.call('PEXPIRE', meta, math.ceil(math.max(h, blockMs)) + 60000)
            end
            for _, x in ipairs({rule > 0 and 1 or 0, rule, phoneCount, inRuns, lookups, distinct, hits}) do out[#out + 1] = x end
          else
            for _ = 1, 7 do out[#out + 1] = 0 end
          end
        end
        return out
        """;

    private static readonly string[] Rules = ["", "sequential-phones", "low-hit-rate"];

    private readonly RedisCounters _redis;
    private readonly EnumerationRules _rules;
    private readonly Lazy<DetectorHasher> _hasher;
    private readonly ILogger _audit;
    private readonly ServerMetrics _metrics;
    private readonly ulong _gap;

    /// <summary>What Redis last said of each client: unblocked (and until when to trust that), or blocked until.</summary>
    private readonly ConcurrentDictionary<ClientId, Verdict> _verdicts = new();

    /// <summary>How long an unblocked verdict lets a client's lookups go without waiting for Redis.</summary>
    public static readonly TimeSpan VerdictFresh = TimeSpan.FromMilliseconds(250);

    /// <summary>The most lookups of one client a replica answers before Redis has judged them: past this, a lookup
    /// waits for its own judgement, so a walk gets at most this many answers per replica past the lookup that
    /// tripped a rule, however slow Redis is.</summary>
    public const int MaxUnjudged = 16;

    private const int SweepAbove = 65536;

    /// <summary>Per client, its lookups sent to be judged in the background and not judged yet.</summary>
    private readonly ConcurrentDictionary<ClientId, StrongBox<int>> _pending = new();

    private readonly record struct Verdict(long FreshUntil, long BlockedUntil);

    public SharedScrapingDetector(RedisCounters redis, EnumerationRules rules, Lazy<DetectorHasher> hasher, ILoggerFactory logs, ServerMetrics metrics)
    {
        _redis = redis;
        _rules = rules;
        _hasher = hasher;
        _audit = logs.CreateLogger("Leakwatch.Audit");
        _metrics = metrics;
        _gap = Math.Max(1, rules.PhoneMaxGap);
    }

    /// <summary>
    /// Checks the key's and the network's blocks and, when <paramref name="lookup"/> is given and neither is blocked,
    /// records it and judges both. Null when Redis cannot be asked (the caller fails closed); 0 when the request may
    /// be answered; else the seconds to wait (blocked before, or by this lookup).
    /// <para>A busy client does not wait for Redis on every lookup: once Redis has found it unblocked, for
    /// <see cref="VerdictFresh"/> its lookups are recorded and judged in the background (in the replica's next
    /// batch) and answered at once, at most <see cref="MaxUnjudged"/> of them at a time; a block found that way holds
    /// from the replica's next request on. Every other lookup waits for its own judgement, as does each one after a
    /// pause longer than that.</para>
    /// </summary>
    public ValueTask<int?> CheckAsync(ClientId client, ClientNetwork network, int rpm, DetectedLookup? lookup)
    {
        var now = _redis.NowMs;
        var judgeNetwork = _rules.AggregateByNetwork && network.Family != System.Net.Sockets.AddressFamily.Unknown;
        var networkId = new ClientId(0, network);
        var mine = _verdicts.GetValueOrDefault(client);
        var theirs = judgeNetwork ? _verdicts.GetValueOrDefault(networkId) : new Verdict(long.MaxValue, 0);
        var blockedUntil = Math.Max(mine.BlockedUntil, theirs.BlockedUntil);
        if (blockedUntil > now)
        {
            return ValueTask.FromResult<int?>((int)Math.Max(1, Math.Ceiling((blockedUntil - now) / 1000.0)));
        }

        var fresh = mine.FreshUntil > now && theirs.FreshUntil > now;
        if (fresh && lookup is null)
        {
            return ValueTask.FromResult<int?>(0);
        }

        var (keys, values) = Arguments(client, network, judgeNetwork, rpm, lookup, now);
        if (fresh)
        {
            var pending = _pending.GetOrAdd(client, _ => new StrongBox<int>());
            if (Interlocked.Increment(ref pending.Value) <= MaxUnjudged)
            {
                _redis.Send(RedisScript.Detector, keys, values, result =>
                {
                    Interlocked.Decrement(ref pending.Value);
                    Judge(result, client, network, judgeNetwork, now);
                });
                return ValueTask.FromResult<int?>(0);
            }

            Interlocked.Decrement(ref pending.Value);
        }

        return WaitAsync(keys, values, client, network, judgeNetwork, now);
    }

    private async ValueTask<int?> WaitAsync(RedisKey[] keys, RedisValue[] values, ClientId client, ClientNetwork network, bool judgeNetwork, long now) =>
        Judge(await _redis.EvaluateAsync(RedisScript.Detector, keys, values), client, network, judgeNetwork, now);

    private (RedisKey[] Keys, RedisValue[] Values) Arguments(ClientId client, ClientNetwork network, bool judgeNetwork, int rpm, DetectedLookup? lookup, long now)
    {
        var ids = judgeNetwork ? new[] { client.ToKeyPart(), "n" + RedisCounters.Net(network) } : [client.ToKeyPart()];
        var keys = new RedisKey[3 * ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            var meta = "lw:d:" + ids[i];
            keys[3 * i] = meta;
            keys[3 * i + 1] = meta + ":l";
            keys[3 * i + 2] = meta + ":p";
        }

        var values = new RedisValue[16];
        values[0] = now;
        values[1] = client.KeyId;
        values[2] = rpm;
        values[3] = lookup is null ? 0 : 1;
        values[4] = lookup is { } l ? (l.Hit ? "1:" : "0:") + _hasher.Value.Lookup(l.Key).ToString("x16", CultureInfo.InvariantCulture) : "";
        values[5] = lookup is { Kind: AccountKind.Phone, E164: > 0 } p ? PhoneEntry(p.E164) : "";
        values[6] = (long)_rules.Horizon.TotalMilliseconds;
        values[7] = _rules.LookupWindow;
        values[8] = _rules.PhoneWindow;
        values[9] = _rules.PhoneInRunThreshold;
        values[10] = _gap;
        values[11] = _rules.PhoneMinRunLength;
        values[12] = _rules.LowHitMinDistinct;
        values[13] = _rules.LowHitMaxRatio;
        values[14] = (long)_rules.BlockDuration.TotalMilliseconds;
        values[15] = (long)_rules.LowHitMinSpan.TotalMilliseconds;
        return (keys, values);
    }

    /// <summary>Reads Redis's judgement, remembers it for the next lookups, and logs a block.</summary>
    private int? Judge(RedisResult[]? result, ClientId client, ClientNetwork network, bool judgeNetwork, long now)
    {
        var networkId = new ClientId(0, network);
        if (result is null)
        {
            _verdicts.TryRemove(client, out _);
            _verdicts.TryRemove(networkId, out _);
            return null;
        }

        if ((int)result[0] == 1)
        {
            var left = (long)result[1];
            _verdicts[(int)result[2] == 2 ? networkId : client] = new Verdict(0, now + left);
            return (int)Math.Max(1, Math.Ceiling(left / 1000.0));
        }

        var blocked = false;
        var freshUntil = now + (long)VerdictFresh.TotalMilliseconds;
        for (var c = 0; c * 7 + 2 < result.Length; c++)
        {
            var v = result.AsSpan(2 + c * 7, 7);
            var id = c == 0 ? client : networkId;
            if ((int)v[0] == 0)
            {
                _verdicts[id] = new Verdict(freshUntil, 0);
                continue;
            }

            blocked = true;
            _verdicts[id] = new Verdict(0, now + (long)_rules.BlockDuration.TotalMilliseconds);
            var rule = Rules[(int)v[1]];
            int phones = (int)v[2], inRuns = (int)v[3], lookups = (int)v[4], distinct = (int)v[5], hits = (int)v[6];
            _metrics.EnumerationBlocks.WithLabels(rule).Inc();
            ScrapingDetector.LogBlock(_audit, id.ToString(), rule, phones, inRuns,
                phones == 0 ? 0 : inRuns / (double)phones, lookups, distinct, hits, lookups == 0 ? 0 : hits / (double)lookups,
                (int)_rules.BlockDuration.TotalSeconds);
        }

        if (!judgeNetwork)
        {
            _verdicts.TryRemove(networkId, out _);
        }

        if (_verdicts.Count > SweepAbove)
        {
            foreach (var (id, verdict) in _verdicts)
            {
                if (verdict.FreshUntil <= now && verdict.BlockedUntil <= now)
                {
                    _verdicts.TryRemove(id, out _);
                    if (_pending.TryGetValue(id, out var box) && Volatile.Read(ref box.Value) == 0)
                    {
                        _pending.TryRemove(id, out _);
                    }
                }
            }
        }

        return blocked ? (int)Math.Ceiling(_rules.BlockDuration.TotalSeconds) : 0;
    }

    /// <summary>"offset:block:nextBlock" with the blocks as keyed fingerprints: the number itself never leaves.</summary>
    private string PhoneEntry(ulong e164)
    {
        var block = e164 / _gap;
        return (e164 % _gap).ToString(CultureInfo.InvariantCulture) + ":" +
            _hasher.Value.PhoneBlock(block).ToString("x16", CultureInfo.InvariantCulture) + ":" +
            _hasher.Value.PhoneBlock(block + 1).ToString("x16", CultureInfo.InvariantCulture);
    }
}
