using System.Collections.Concurrent;
using Leakwatch.Catalog.Lookup;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// Spots clients walking the identifier space through <c>breachedaccount</c>. Per API key, and per client network
/// across all the keys used from it (<see cref="ClientNetwork"/>: an IPv4 address or an IPv6 /64), it keeps, in
/// memory only and bounded, the last <see cref="EnumerationRules.PhoneWindow"/> E.164 numbers queried and the keyed
/// index hashes and outcomes of the last <see cref="EnumerationRules.LookupWindow"/> lookups. Two rules block a client:
/// <list type="bullet">
/// <item><b>sequential phones</b>: sorted, at least <see cref="EnumerationRules.PhoneInRunThreshold"/> of the recent
/// numbers sit in runs of ≥ <see cref="EnumerationRules.PhoneMinRunLength"/> with gaps ≤ <see cref="EnumerationRules.PhoneMaxGap"/>.
/// Sorting first makes the rule blind to order and stride up to the gap, and a known hit slipped in between steps
/// lands outside the run without breaking it;</item>
/// <item><b>low hit rate</b>: at least <see cref="EnumerationRules.LowHitMinDistinct"/> distinct accounts recently, and at most
/// <see cref="EnumerationRules.LowHitMaxRatio"/> of lookups found anything; when those lookups span less than
/// <see cref="EnumerationRules.LowHitMinSpan"/>, the hit rate over that time (decaying counts) must be as low.</item>
/// </list>
/// "Recently" is <see cref="EnumerationRules.Horizon"/>, stretched for slow keys to the time the key's rpm needs to fill
/// the lookup window (<see cref="EnumerationRules.HorizonFor"/>), so every rule can fire at any rate the key is allowed.
/// A network's aggregate is judged only once a second key is used from it, so one key's walk is reported once, as the key.
/// A block is written to the audit log with the client and the pattern's counts, never an account.
/// </summary>
internal sealed partial class ScrapingDetector
{
    private readonly EnumerationRules _rules;
    private readonly TimeProvider _time;
    private readonly ILogger _audit;
    private readonly ServerMetrics _metrics;
    private readonly ConcurrentDictionary<ClientId, History> _clients = new();
    private long _lastSweep;

    public ScrapingDetector(EnumerationRules rules, TimeProvider time, ILoggerFactory logs, ServerMetrics metrics)
    {
        _rules = rules;
        _time = time;
        _audit = logs.CreateLogger("Leakwatch.Audit");
        _metrics = metrics;
    }

    /// <summary>True while the key or the network it is used from is blocked; <paramref name="retryAfterSeconds"/>
    /// is the rest of the longer block, rounded up.</summary>
    public bool IsBlocked(ClientId client, ClientNetwork network, out int retryAfterSeconds)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var until = Math.Max(BlockedUntil(client), _rules.AggregateByNetwork ? BlockedUntil(new ClientId(0, network)) : 0);
        retryAfterSeconds = until <= now ? 0 : (int)Math.Max(1, Math.Ceiling((until - now) / (double)TimeSpan.TicksPerSecond));
        return until > now;
    }

    private long BlockedUntil(ClientId client)
    {
        if (!_clients.TryGetValue(client, out var h))
        {
            return 0;
        }

        lock (h)
        {
            return h.BlockedUntil;
        }
    }

    /// <summary>Records one lookup made with a key of <paramref name="rpm"/> from <paramref name="network"/>; true
    /// when it tips the key or the network into a block.</summary>
    public bool Record(ClientId client, ClientNetwork network, int rpm, in DetectedLookup lookup)
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now - Volatile.Read(ref _lastSweep) > _rules.Horizon.Ticks)
        {
            Sweep(now, force: false);
        }

        var blocked = RecordFor(client, client.KeyId, rpm, lookup, now);
        if (_rules.AggregateByNetwork && network.Family != System.Net.Sockets.AddressFamily.Unknown)
        {
            // Recorded even when the key was just blocked: the network's picture must not lose the walk's start.
            blocked |= RecordFor(new ClientId(0, network), client.KeyId, rpm, lookup, now);
        }

        return blocked;
    }

    private bool RecordFor(ClientId client, int keyId, int rpm, in DetectedLookup lookup, long now)
    {
        if (!_clients.TryGetValue(client, out var h))
        {
            if (_clients.Count >= _rules.MaxClients)
            {
                Sweep(now, force: true);
                if (_clients.Count >= _rules.MaxClients)
                {
                    return false; // fail open rather than grow without bound
                }
            }

            h = _clients.GetOrAdd(client, static (_, r) => new History(r), _rules);
        }

        Verdict v;
        lock (h)
        {
            h.LastSeen = now;
            h.NoteKey(keyId, rpm);
            if (h.BlockedUntil > now)
            {
                return false;
            }

            h.AddLookup(lookup.Key, lookup.Hit, now, _rules.LowHitMinSpan.Ticks);
            if (lookup.Kind == AccountKind.Phone)
            {
                h.AddPhone(lookup.E164, now);
            }

            // A network seen with one key only is that key, already judged.
            if (client.KeyId == 0 && !h.ManyKeys)
            {
                return false;
            }

            v = Evaluate(h, now, lookup.Kind == AccountKind.Phone);
            if (v.Rule is null)
            {
                return false;
            }

            h.BlockedUntil = now + _rules.BlockDuration.Ticks;
            h.Reset();
        }

        _metrics.EnumerationBlocks.WithLabels(v.Rule).Inc();
        LogBlock(_audit, client.ToString(), v.Rule, v.PhoneLookups, v.InRuns, v.PhoneLookups == 0 ? 0 : v.InRuns / (double)v.PhoneLookups,
            v.Lookups, v.Distinct, v.Hits, v.Lookups == 0 ? 0 : v.Hits / (double)v.Lookups, (int)_rules.BlockDuration.TotalSeconds);
        return true;
    }

    private readonly record struct Verdict(string? Rule, int PhoneLookups, int InRuns, int Lookups, int Distinct, int Hits);

    private Verdict Evaluate(History h, long now, bool phoneChanged)
    {
        var since = now - _rules.HorizonFor(h.Rpm).Ticks;
        var phoneCount = 0;
        var inRuns = 0;
        if (phoneChanged)
        {
            Span<ulong> phones = stackalloc ulong[h.Phones.Length];
            phoneCount = h.RecentPhones(since, phones);
            if (phoneCount >= _rules.PhoneInRunThreshold)
            {
                inRuns = CountInRuns(phones[..phoneCount], _rules.PhoneMaxGap, _rules.PhoneMinRunLength);
            }
        }

        var (lookups, hits, oldest) = h.RecentOutcomes(since);
        var distinct = 0;
        if (lookups >= _rules.LowHitMinDistinct && hits <= _rules.LowHitMaxRatio * lookups &&
            (now - oldest >= _rules.LowHitMinSpan.Ticks || h.DecayedHits <= _rules.LowHitMaxRatio * h.DecayedLookups))
        {
            Span<UInt128> keys = stackalloc UInt128[h.Keys.Length];
            distinct = h.RecentDistinct(since, keys);
        }

        if (inRuns >= _rules.PhoneInRunThreshold)
        {
            return new Verdict("sequential-phones", phoneCount, inRuns, lookups, distinct, hits);
        }

        if (distinct >= _rules.LowHitMinDistinct)
        {
            return new Verdict("low-hit-rate", phoneCount, inRuns, lookups, distinct, hits);
        }

        return default;
    }

    /// <summary>
    /// Sorts the numbers and counts the distinct ones in runs of at least <paramref name="minRun"/> with gaps of at most
    /// <paramref name="maxGap"/>. Repeats of one number (the same phone typed in several formats) count once, so
    /// re-checking a number is never mistaken for walking.
    /// </summary>
    internal static int CountInRuns(Span<ulong> numbers, ulong maxGap, int minRun)
    {
        numbers.Sort();
        var total = 0;
        var run = numbers.IsEmpty ? 0 : 1;
        for (var i = 1; i <= numbers.Length; i++)
        {
            if (i < numbers.Length && numbers[i] == numbers[i - 1])
            {
                continue;
            }

            if (i < numbers.Length && numbers[i] - numbers[i - 1] <= maxGap)
            {
                run++;
                continue;
            }

            if (run >= minRun)
            {
                total += run;
            }

            run = 1;
        }

        return total;
    }

    private void Sweep(long now, bool force)
    {
        Volatile.Write(ref _lastSweep, now);
        foreach (var (id, h) in _clients)
        {
            bool idle;
            lock (h)
            {
                var horizon = _rules.HorizonFor(h.Rpm).Ticks;
                idle = h.BlockedUntil <= now && (h.LastSeen < now - horizon || force && h.LastSeen < now - horizon / 10);
            }

            if (idle)
            {
                _clients.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Bounded rings of one client's recent lookups. Guarded by locking the instance.</summary>
    private sealed class History
    {
        public readonly ulong[] Phones;
        public readonly long[] PhoneTimes;
        public readonly UInt128[] Keys;
        public readonly long[] KeyTimes;
        public readonly bool[] Hits;
        private int _phoneNext;
        private int _phoneCount;
        private int _keyNext;
        private int _keyCount;

        public History(EnumerationRules rules)
        {
            Phones = new ulong[rules.PhoneWindow];
            PhoneTimes = new long[rules.PhoneWindow];
            Keys = new UInt128[rules.LookupWindow];
            KeyTimes = new long[rules.LookupWindow];
            Hits = new bool[rules.LookupWindow];
        }

        public long LastSeen;
        public long BlockedUntil;
        private int _firstKeyId = -1;

        /// <summary>The slowest rpm of the keys seen: the longest horizon, so a slow key's walk stays in view.</summary>
        public int Rpm { get; private set; } = int.MaxValue;

        /// <summary>Whether lookups came with more than one key (for a network's aggregate).</summary>
        public bool ManyKeys { get; private set; }

        public void NoteKey(int keyId, int rpm)
        {
            Rpm = Math.Min(Rpm, Math.Max(1, rpm));
            if (_firstKeyId < 0)
            {
                _firstKeyId = keyId;
            }
            else if (_firstKeyId != keyId)
            {
                ManyKeys = true;
            }
        }

        public void AddPhone(ulong e164, long now)
        {
            Phones[_phoneNext] = e164;
            PhoneTimes[_phoneNext] = now;
            _phoneNext = (_phoneNext + 1) % Phones.Length;
            _phoneCount = Math.Min(_phoneCount + 1, Phones.Length);
        }

        /// <summary>Lookups and hits counted with exponential decay over time (see <see cref="EnumerationRules.LowHitMinSpan"/>).</summary>
        public double DecayedLookups;
        public double DecayedHits;
        private long _decayedAt;

        public void AddLookup(UInt128 key, bool hit, long now, long decayTicks)
        {
            var decay = now > _decayedAt ? Math.Exp(-(now - _decayedAt) / (double)Math.Max(1, decayTicks)) : 1;
            DecayedLookups = DecayedLookups * decay + 1;
            DecayedHits = DecayedHits * decay + (hit ? 1 : 0);
            _decayedAt = Math.Max(_decayedAt, now);

            Keys[_keyNext] = key;
            KeyTimes[_keyNext] = now;
            Hits[_keyNext] = hit;
            _keyNext = (_keyNext + 1) % Keys.Length;
            _keyCount = Math.Min(_keyCount + 1, Keys.Length);
        }

        public int RecentPhones(long since, Span<ulong> into)
        {
            var n = 0;
            for (var i = 0; i < _phoneCount; i++)
            {
                if (PhoneTimes[i] >= since)
                {
                    into[n++] = Phones[i];
                }
            }

            return n;
        }

        /// <summary>Lookups and hits since <paramref name="since"/>, and the time of the oldest of them.</summary>
        public (int Lookups, int Hits, long Oldest) RecentOutcomes(long since)
        {
            var n = 0;
            var hits = 0;
            var oldest = long.MaxValue;
            for (var i = 0; i < _keyCount; i++)
            {
                if (KeyTimes[i] >= since)
                {
                    n++;
                    hits += Hits[i] ? 1 : 0;
                    oldest = Math.Min(oldest, KeyTimes[i]);
                }
            }

            return (n, hits, oldest);
        }

        public int RecentDistinct(long since, Span<UInt128> scratch)
        {
            var n = 0;
            for (var i = 0; i < _keyCount; i++)
            {
                if (KeyTimes[i] >= since)
                {
                    scratch[n++] = Keys[i];
                }
            }

            var keys = scratch[..n];
            keys.Sort();
            var distinct = n == 0 ? 0 : 1;
            for (var i = 1; i < n; i++)
            {
                distinct += keys[i] != keys[i - 1] ? 1 : 0;
            }

            return distinct;
        }

        public void Reset()
        {
            _phoneCount = _phoneNext = _keyCount = _keyNext = 0;
            DecayedLookups = DecayedHits = 0;
            Array.Clear(Phones);
            Array.Clear(Keys);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message =
        "enumeration block: client {Client}, rule {Rule}; phone lookups {PhoneLookups}, in tight runs {InRuns} (ratio {RunRatio:F2}); " +
        "lookups {Lookups}, distinct {Distinct}, hits {Hits} (hit rate {HitRate:F3}); blocked for {BlockSeconds} s")]
    internal static partial void LogBlock(ILogger log, string client, string rule, int phoneLookups, int inRuns, double runRatio,
        int lookups, int distinct, int hits, double hitRate, int blockSeconds);
}
