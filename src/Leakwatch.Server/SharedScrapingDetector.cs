using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Privacy;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Leakwatch.Server;

/// <summary>
/// The enumeration detector of <see cref="ScrapingDetector"/> with its state in Redis (<c>serve --redis</c>), so a walk
/// spread over replicas is seen as one: the same rules, windows, horizons and blocks, judged by a Lua script that
/// checks the blocks, records a client's lookups and evaluates, atomically.
/// <para>What Redis holds per client (API key id, or network) and nothing more: the lookup's time, whether it hit,
/// and a keyed fingerprint of its index key (<see cref="DetectorHasher.Lookup"/>); for a phone, instead of the
/// number, the keyed fingerprints of its block of <see cref="EnumerationRules.PhoneMaxGap"/> numbers and of the
/// next block, and its offset in the block (its last digits). Two numbers at most the gap apart sit in the same or in
/// adjacent blocks, so the script rebuilds the distances the sequential-phones rule needs, and nothing else, without
/// the key file. Lists are trimmed to the rule windows and every key expires after the client's horizon (or its
/// block), so memory follows the clients of the last minutes.</para>
/// <para>A replica does not ask Redis once per lookup: it keeps each client's lookups in a <see cref="Recorder"/> and
/// sends them together, one script call per client and network, when <see cref="FlushAt"/> have gathered, when a
/// lookup waits for its judgement, or within <see cref="FlushInterval"/>; one call of a client is in flight at a
/// time, and what gathers meanwhile goes in the next.</para>
/// </summary>
internal sealed class SharedScrapingDetector : IDisposable
{
    /// <summary>
    /// KEYS: per client (the key, then the network if judged): meta hash, lookups list, phones list.
    /// ARGV: now, keyId, rpm, n (the lookups; 0: only check the blocks), p (the phone lookups among them), the hits
    /// among them, the last one's time, the sum over them of e^(-(last - time) / low-hit min span) and the same over
    /// the hits (the running counts' share of the call), then the rules: horizon ms, lookup window, phone window,
    /// in-run threshold, gap (block size), min run, low-hit min distinct, low-hit max ratio, block ms, low-hit min
    /// span ms; then the n lookups "time:hit:fingerprint" in order and the p phones "time:offset:block:nextBlock".
    /// The lookups are recorded in order and the rules judged once, after the last (as of now).
    /// Returns {1, ms left, which client} when blocked already (nothing recorded); else {0, 0} followed by, per client
    /// judged, {blocked now (0/1), rule (1 sequential-phones, 2 low-hit-rate), phone lookups, in runs, lookups,
    /// distinct, hits}. The lists hold the entries as they were when each lookup made its own call.
    /// </summary>
    internal const string Script = """
        local now = tonumber(ARGV[1])
        local clients = #KEYS / 3
        local u, who, metas = 0, 0, {}
        for c = 1, clients do
          metas[c] = redis.call('HMGET', KEYS[3 * c - 2], 'bu', 'rpm', 'k1', 'many', 'el', 'eh', 'et', 'lh')
          local v = metas[c][1]
          if v and tonumber(v) > u then u, who = tonumber(v), c end
        end
        if u > now then return {1, u - now, who} end
        if ARGV[4] == '0' then return {0, 0} end

        local keyId, keyRpm = ARGV[2], math.max(1, tonumber(ARGV[3]))
        local count, p, batchHits, last = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
        local weight, hitWeight = tonumber(ARGV[8]), tonumber(ARGV[9])
        local horizon, lookupWindow, phoneWindow = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
        local threshold, gap, minRun = tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15])
        local minDistinct, maxRatio, blockMs, minSpan = tonumber(ARGV[16]), tonumber(ARGV[17]), tonumber(ARGV[18]), tonumber(ARGV[19])
        local out = {0, 0}

        local function push(key, from, to)
          local len = 0
          for i = from, to, 1000 do len = redis.call('LPUSH', key, unpack(ARGV, i, math.min(i + 999, to))) end
          return len
        end

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
          local m = {select(2, unpack(metas[c], 1, 8))}
          local lh = tonumber(m[7] or '0')
          local rpm = keyRpm
          if m[1] then rpm = math.min(tonumber(m[1]), keyRpm) end
          local many = m[3] == '1' or (m[2] and m[2] ~= keyId)
          -- The running counts decay with each lookup's own time: the call's share arrives summed (ARGV[8], ARGV[9]).
          local el, eh, et = 0, 0, nil
          if m[4] then el, eh, et = tonumber(m[4]), tonumber(m[5]), tonumber(m[6]) end
          if et and last > et then
            local d = math.exp(-(last - et) / math.max(1, minSpan))
            el, eh = el * d, eh * d
          end
          if not et or last > et then et = last end
          el, eh = el + weight, eh + hitWeight
          -- The window's hit count is kept beside it, so judging needs no scan while the window is within the horizon.
          local n = push(lkey, 20, 19 + count)
          lh = lh + batchHits
          if n > lookupWindow then
            for _, e in ipairs(redis.call('LRANGE', lkey, lookupWindow, -1)) do
              local c = string.find(e, ':', 1, true)
              if c and string.byte(e, c + 1) == 49 then lh = lh - 1 end
            end
            redis.call('LTRIM', lkey, 0, lookupWindow - 1)
            n = lookupWindow
          end
          redis.call('HSET', meta, 'rpm', rpm, 'k1', m[2] or keyId, 'many', many and '1' or '0', 'el', tostring(el), 'eh', tostring(eh), 'et', tostring(et), 'lh', lh)
          if p > 0 then
            push(pkey, 20 + count, 19 + count + p)
            redis.call('LTRIM', pkey, 0, phoneWindow - 1)
          end
          local h = math.max(horizon, lookupWindow * 1.25 / rpm * 60000)
          -- The phone list keeps the expiry of its last push, which covers its entries' horizon.
          redis.call('PEXPIRE', meta, math.ceil(h) + 60000)
          redis.call('PEXPIRE', lkey, math.ceil(h) + 60000)
          if p > 0 then redis.call('PEXPIRE', pkey, math.ceil(h) + 60000) end

          -- A network seen with one key only is that key, already judged.
          if c == 1 or many then
            local since = now - h
            local phoneCount, inRuns = 0, 0
            if p > 0 then
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

    /// <summary>How long an unblocked verdict lets a client's lookups go without waiting for Redis.</summary>
    public static readonly TimeSpan VerdictFresh = TimeSpan.FromMilliseconds(250);

    /// <summary>The most lookups of one client (API key) a replica answers before Redis has judged them: past this, a
    /// lookup waits for its own judgement, so a walk gets at most this many answers per replica past the lookup that
    /// tripped a rule, however slow Redis is.</summary>
    public const int MaxUnjudged = 64;

    /// <summary>A client's gathered lookups go to Redis once this many are waiting to be sent (half the unjudged
    /// bound, so the next ones are answered while these are judged).</summary>
    public const int FlushAt = MaxUnjudged / 2;

    /// <summary>Fewer are sent at the latest after this long.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private const int SweepAbove = 65536;

    /// <summary>The longest a lookup and a phone lookup are in the script's ARGV ("time:hit:fp" and
    /// "time:offset:block:next", with a 20-digit offset at most).</summary>
    private const int MaxLookupBytes = 20 + 3 + 16;

    private const int MaxPhoneBytes = 20 + 1 + 20 + 1 + 16 + 1 + 16;

    private readonly RedisCounters _redis;
    private readonly EnumerationRules _rules;
    private readonly Lazy<DetectorHasher> _hasher;
    private readonly ILogger _audit;
    private readonly ServerMetrics _metrics;
    private readonly ulong _gap;

    /// <summary>ARGV[10..19]: the rules, the same for every call.</summary>
    private readonly RedisValue[] _ruleValues;

    /// <summary>What Redis last said of each client: unblocked (and until when to trust that), or blocked until.</summary>
    private readonly ConcurrentDictionary<ClientId, Verdict> _verdicts = new();

    private readonly ConcurrentDictionary<ClientId, Recorder> _recorders = new();

    /// <summary>Recorders holding lookups that no call has taken yet: the timer sends them.</summary>
    private readonly ConcurrentDictionary<Recorder, byte> _due = new();

    private readonly Timer _timer;

    private readonly record struct Verdict(long FreshUntil, long BlockedUntil);

    public SharedScrapingDetector(RedisCounters redis, EnumerationRules rules, Lazy<DetectorHasher> hasher, ILoggerFactory logs, ServerMetrics metrics)
    {
        _redis = redis;
        _rules = rules;
        _hasher = hasher;
        _audit = logs.CreateLogger("Leakwatch.Audit");
        _metrics = metrics;
        _gap = Math.Max(1, rules.PhoneMaxGap);
        _ruleValues =
        [
            (long)rules.Horizon.TotalMilliseconds, rules.LookupWindow, rules.PhoneWindow, rules.PhoneInRunThreshold, _gap,
            rules.PhoneMinRunLength, rules.LowHitMinDistinct, rules.LowHitMaxRatio, (long)rules.BlockDuration.TotalMilliseconds,
            (long)rules.LowHitMinSpan.TotalMilliseconds,
        ];
        _timer = new Timer(_ => SendDue(), null, FlushInterval, FlushInterval);
    }

    /// <summary>
    /// Checks the key's and the network's blocks and, when <paramref name="lookup"/> is given and neither is blocked,
    /// records it and judges both. Null when Redis cannot be asked (the caller fails closed); 0 when the request may
    /// be answered; else the seconds to wait (blocked before, or by this lookup).
    /// <para>A busy client does not wait for Redis on every lookup: once Redis has found it unblocked, for
    /// <see cref="VerdictFresh"/> its lookups are answered at once and judged in the background (in the client's
    /// next call), at most <see cref="MaxUnjudged"/> of them at a time; a block found that way holds from the
    /// replica's next request on. Every other lookup waits for the judgement of the call it goes in, as does each one
    /// after a pause longer than that.</para>
    /// </summary>
    public ValueTask<int?> CheckAsync(ClientId client, ClientNetwork network, int rpm, DetectedLookup? lookup)
    {
        var now = _redis.NowMs;
        var judgeNetwork = _rules.AggregateByNetwork && network.Family != System.Net.Sockets.AddressFamily.Unknown;
        var mine = _verdicts.GetValueOrDefault(client);
        var theirs = judgeNetwork ? _verdicts.GetValueOrDefault(new ClientId(0, network)) : new Verdict(long.MaxValue, 0);
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

        var entry = new Entry(now, network, judgeNetwork, lookup);
        while (true)
        {
            var recorder = _recorders.GetOrAdd(client, static (c, self) => new Recorder(self, c), this);
            if (recorder.Record(entry, rpm, fresh) is { } verdict)
            {
                return verdict;
            }
        }
    }

    /// <summary>The timer: sends what recorders have gathered and no call has taken, and forgets idle recorders when
    /// there are many.</summary>
    private void SendDue()
    {
        foreach (var (recorder, _) in _due)
        {
            recorder.SendGathered();
        }

        if (_recorders.Count > SweepAbove)
        {
            foreach (var (_, recorder) in _recorders)
            {
                recorder.RetireIfIdle(_redis.NowMs);
            }
        }
    }

    /// <summary>Reads Redis's judgement of one call, remembers it for the next lookups, and logs a block.</summary>
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
                }
            }
        }

        return blocked ? (int)Math.Ceiling(_rules.BlockDuration.TotalSeconds) : 0;
    }

    /// <summary>
    /// One call's ARGV: the counts and sums, the rules, then each lookup "time:hit:fingerprint" and each phone
    /// "time:offset:block:nextBlock" with the blocks as keyed fingerprints (the number itself never leaves), written
    /// into one pooled buffer (returned, to give back once Redis has answered), each value a slice of it.
    /// </summary>
    private byte[] Write(ReadOnlySpan<Entry> entries, ClientNetwork network, ClientId client, int rpm, long now, out RedisValue[] values)
    {
        int count = 0, phones = 0, hits = 0;
        long last = 0;
        foreach (ref readonly var e in entries)
        {
            if (e.Network == network && e.Lookup is { } lookup)
            {
                count++;
                hits += lookup.Hit ? 1 : 0;
                phones += lookup is { Kind: AccountKind.Phone, E164: > 0 } ? 1 : 0;
                last = Math.Max(last, e.Ms);
            }
        }

        values = new RedisValue[19 + count + phones];
        values[0] = now;
        values[1] = client.KeyId;
        values[2] = rpm;
        values[3] = count;
        values[4] = phones;
        values[5] = hits;
        values[6] = last;
        _ruleValues.CopyTo(values, 9);
        var buffer = ArrayPool<byte>.Shared.Rent(count * MaxLookupBytes + phones * MaxPhoneBytes);
        var hasher = _hasher.Value;
        var span = (long)_rules.LowHitMinSpan.TotalMilliseconds;
        double weight = 0, hitWeight = 0;
        int l = 0, v = 19, pv = 19 + count;
        foreach (ref readonly var e in entries)
        {
            if (e.Network != network || e.Lookup is not { } lookup)
            {
                continue;
            }

            var w = Math.Exp(-Math.Max(0, last - e.Ms) / (double)Math.Max(1, span));
            weight += w;
            hitWeight += lookup.Hit ? w : 0;
            var start = l;
            var b = buffer.AsSpan(l);
            e.Ms.TryFormat(b, out var n, default, CultureInfo.InvariantCulture);
            b[n++] = (byte)':';
            b[n++] = lookup.Hit ? (byte)'1' : (byte)'0';
            b[n++] = (byte)':';
            hasher.Lookup(lookup.Key).TryFormat(b[n..], out var h, "x16", CultureInfo.InvariantCulture);
            l += n + h;
            values[v++] = new ReadOnlyMemory<byte>(buffer, start, l - start);
            if (lookup is not { Kind: AccountKind.Phone, E164: > 0 } phone)
            {
                continue;
            }

            start = l;
            b = buffer.AsSpan(l);
            var block = phone.E164 / _gap;
            e.Ms.TryFormat(b, out n, default, CultureInfo.InvariantCulture);
            b[n++] = (byte)':';
            (phone.E164 % _gap).TryFormat(b[n..], out var o, default, CultureInfo.InvariantCulture);
            n += o;
            b[n++] = (byte)':';
            hasher.PhoneBlock(block).TryFormat(b[n..], out h, "x16", CultureInfo.InvariantCulture);
            n += h;
            b[n++] = (byte)':';
            hasher.PhoneBlock(block + 1).TryFormat(b[n..], out h, "x16", CultureInfo.InvariantCulture);
            l += n + h;
            values[pv++] = new ReadOnlyMemory<byte>(buffer, start, l - start);
        }

        values[7] = weight;
        values[8] = hitWeight;
        return buffer;
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>One lookup waiting to be sent, with when it was made and from where; no lookup: only a check of the
    /// blocks (an invalid account).</summary>
    private readonly record struct Entry(long Ms, ClientNetwork Network, bool JudgeNetwork, DetectedLookup? Lookup);

    /// <summary>The lookups gathered for one call, and what waits on its judgement.</summary>
    private sealed class Gathered
    {
        public Entry[] Entries = new Entry[FlushAt * 2];

        public int Count;

        /// <summary>How many of them were answered before being judged.</summary>
        public int Answered;

        /// <summary>Completed with the judgement (the worst of its calls) for the lookups that wait for it.</summary>
        public TaskCompletionSource<int?>? Waiting;

        /// <summary>While in flight: the calls not answered yet, and the judgement so far.</summary>
        public int Calls;

        public int? Verdict = 0;

        public void Add(in Entry entry)
        {
            if (Count == Entries.Length)
            {
                Array.Resize(ref Entries, Count * 2);
            }

            Entries[Count++] = entry;
        }

        public void Reset()
        {
            Array.Clear(Entries, 0, Count);
            Count = 0;
            Answered = 0;
            Waiting = null;
            Calls = 0;
            Verdict = 0;
        }
    }

    /// <summary>
    /// One client's (API key's) lookups on this replica: those gathered for the next call, and whether a call is in
    /// flight (one at a time, so what arrives meanwhile goes together in the next). Also counts the client's
    /// lookups answered and not yet judged, for <see cref="MaxUnjudged"/>.
    /// </summary>
    private sealed class Recorder(SharedScrapingDetector detector, ClientId client)
    {
        private readonly Lock _gate = new();
        private Gathered _open = new();
        private Gathered? _spare = new();
        private bool _inFlight;
        private bool _due;
        private bool _retired;
        private int _unjudged;
        private int _rpm;
        private long _lastUsed;
        private ClientNetwork _keysFor;
        private RedisKey[]? _keys;

        /// <summary>Adds the lookup; null when this recorder was just retired (the caller takes the new one).</summary>
        public ValueTask<int?>? Record(in Entry entry, int rpm, bool fresh)
        {
            Gathered? send = null;
            Task<int?>? wait = null;
            lock (_gate)
            {
                if (_retired)
                {
                    return null;
                }

                _rpm = rpm;
                _lastUsed = entry.Ms;
                _open.Add(entry);
                if (fresh && _unjudged < MaxUnjudged)
                {
                    _unjudged++;
                    _open.Answered++;
                }
                else
                {
                    _open.Waiting ??= new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _open.Waiting.Task;
                }

                if (!_inFlight && (_open.Waiting is not null || _open.Count >= FlushAt))
                {
                    send = Take();
                }
                else if (!_due)
                {
                    _due = true;
                    detector._due.TryAdd(this, 0);
                }
            }

            if (send is not null)
            {
                Send(send);
            }

            return wait is null ? ValueTask.FromResult<int?>(0) : new ValueTask<int?>(wait);
        }

        /// <summary>The timer's: sends the gathered lookups unless a call is in flight (its answer sends them).</summary>
        public void SendGathered()
        {
            Gathered? send = null;
            lock (_gate)
            {
                if (_inFlight)
                {
                    return;
                }

                _due = false;
                detector._due.TryRemove(this, out _);
                if (_open.Count > 0)
                {
                    send = Take();
                }
            }

            if (send is not null)
            {
                Send(send);
            }
        }

        public void RetireIfIdle(long now)
        {
            lock (_gate)
            {
                if (_inFlight || _open.Count > 0 || _unjudged > 0 || now - _lastUsed < (long)VerdictFresh.TotalMilliseconds)
                {
                    return;
                }

                _retired = true;
                detector._recorders.TryRemove(new KeyValuePair<ClientId, Recorder>(client, this));
            }
        }

        private Gathered Take()
        {
            var taken = _open;
            _open = _spare ?? new Gathered();
            _spare = null;
            _inFlight = true;
            return taken;
        }

        /// <summary>One call per network among the gathered lookups (nearly always one).</summary>
        private void Send(Gathered gathered)
        {
            var entries = gathered.Entries.AsSpan(0, gathered.Count);
            var now = detector._redis.NowMs;
            var first = entries[0];
            var one = true;
            foreach (ref readonly var e in entries)
            {
                one &= e.Network == first.Network;
            }

            if (one)
            {
                gathered.Calls = 1;
                SendOne(gathered, first.Network, first.JudgeNetwork, now);
                return;
            }

            // Listed before the first call: once the last one is answered, the gathered lookups are reused.
            var networks = new List<(ClientNetwork Network, bool Judge)>();
            foreach (ref readonly var e in entries)
            {
                if (!networks.Contains((e.Network, e.JudgeNetwork)))
                {
                    networks.Add((e.Network, e.JudgeNetwork));
                }
            }

            gathered.Calls = networks.Count;
            foreach (var (network, judge) in networks)
            {
                SendOne(gathered, network, judge, now);
            }
        }

        private void SendOne(Gathered gathered, ClientNetwork network, bool judgeNetwork, long now)
        {
            byte[] buffer;
            RedisValue[] values;
            try
            {
                buffer = detector.Write(gathered.Entries.AsSpan(0, gathered.Count), network, client, _rpm, now, out values);
            }
#pragma warning disable CA1031 // e.g. the key file unreadable: the lookups waiting on this call fail closed, not hang
            catch (Exception)
#pragma warning restore CA1031
            {
                Judged(gathered, detector.Judge(null, client, network, judgeNetwork, now));
                return;
            }

            detector._redis.Send(RedisScript.Detector, KeysFor(network, judgeNetwork), values, result =>
            {
                if (result is not null)
                {
                    // Not after a failure: a call that timed out may still be written later.
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                Judged(gathered, detector.Judge(result, client, network, judgeNetwork, now));
            });
        }

        private void Judged(Gathered gathered, int? verdict)
        {
            Gathered? next = null;
            TaskCompletionSource<int?>? waiting;
            lock (_gate)
            {
                gathered.Verdict = gathered.Verdict is null || verdict is null ? null : Math.Max(gathered.Verdict.Value, verdict.Value);
                if (--gathered.Calls > 0)
                {
                    return;
                }

                verdict = gathered.Verdict;
                waiting = gathered.Waiting;
                _unjudged -= gathered.Answered;
                gathered.Reset();
                _spare = gathered;
                _inFlight = false;
                if (_open.Waiting is not null || _open.Count >= FlushAt)
                {
                    next = Take();
                }
            }

            waiting?.TrySetResult(verdict);
            if (next is not null)
            {
                Send(next);
            }
        }

        /// <summary>The client's three keys and, when judged, the network's: kept for the network last sent.</summary>
        private RedisKey[] KeysFor(ClientNetwork network, bool judgeNetwork)
        {
            var keys = _keys;
            if (keys is not null && _keysFor == network && keys.Length == (judgeNetwork ? 6 : 3))
            {
                return keys;
            }

            string[] ids = judgeNetwork ? [client.ToKeyPart(), "n" + RedisCounters.Net(network)] : [client.ToKeyPart()];
            keys = new RedisKey[3 * ids.Length];
            for (var i = 0; i < ids.Length; i++)
            {
                var meta = "lw:d:" + ids[i];
                keys[3 * i] = meta;
                keys[3 * i + 1] = meta + ":l";
                keys[3 * i + 2] = meta + ":p";
            }

            _keys = keys;
            _keysFor = network;
            return keys;
        }
    }
}
