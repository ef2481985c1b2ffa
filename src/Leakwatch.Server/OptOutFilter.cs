using System.Collections.Frozen;
using System.Security.Cryptography;
using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>
/// The identifiers hidden from public search (<c>opt_outs</c>), held in memory: account search answers 404 for them,
/// and the private tier serves their buckets without their entries.
/// <para>How a change reaches every replica: the replica that confirms an opt-out adds it here at once
/// (<see cref="Add"/>), before it answers. Opt-out writes leave the state revision alone (they are
/// <c>WriteQuiet</c>: no replica should reload the catalogue for one), so the other replicas do not learn of it from
/// the revision poll; each polls the opt-out count instead every <see cref="ServerOptions.OptOutRefreshInterval"/>
/// (one tiny query) and reloads the list when it moved. A restart loads the list before serving.</para>
/// <para>The private tier: each opt-out's sealed private form (<see cref="OptOutPrivateForm"/>) gives, for the served
/// OPRF key, the identifier's bucket and PRF output y; from y and the index salt the server derives the identifier's
/// keychecks and replaces its entries with filler entries (deterministic under the key file, so every replica and
/// every request serves the same bytes), keeping the bucket sorted by keycheck.</para>
/// </summary>
internal sealed partial class OptOutFilter : IDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private readonly StateLocation _state;
    private readonly string _keyFilePath;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private Snapshot _current = Snapshot.Empty;
    private BucketFilter? _buckets;
    private int _refreshing;
    private bool _schemaCurrent;

    public OptOutFilter(ServerOptions options, ILogger<OptOutFilter> log)
    {
        _options = options;
        _log = log;
        _state = options.State ?? StateLocation.Embedded;
        _keyFilePath = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
        Reload(throwOnError: true);
        _timer = new Timer(_ => Refresh(), null, options.OptOutRefreshInterval, options.OptOutRefreshInterval);
    }

    /// <summary>How many identifiers are opted out.</summary>
    public int Count => Volatile.Read(ref _current).Keys.Count;

    /// <summary>True when the identifier with this index key is hidden from public search.</summary>
    public bool Contains(UInt128 key) => Volatile.Read(ref _current).Keys.Contains(key);

    /// <summary>An opt-out this replica just confirmed: served at once, before the next poll.</summary>
    public void Add(OptOutRecord record)
    {
        lock (_gate)
        {
            var old = _current;
            var keys = new HashSet<UInt128>(old.Keys) { IndexKeys.ReadBigEndian(record.MatchKey) };
            var forms = new List<OptOutPrivateForm.Entry>(old.Forms);
            if (record.SealedPrivate is not null && LoadKeys() is { } keyFile)
            {
                forms.AddRange(OptOutPrivateForm.Open(keyFile, record.SealedPrivate));
            }

            Volatile.Write(ref _current, new Snapshot(keys.ToFrozenSet(), forms, old.StoreCount + 1 + (record.SealedPrivate is null ? 0 : 1)));
        }
    }

    /// <summary>Replaces the entries of opted-out identifiers in a decrypted bucket of the served private index.</summary>
    public void FilterBucket(PrivateServingState state, long bucket, Span<byte> entries)
    {
        var snapshot = Volatile.Read(ref _current);
        if (snapshot.Forms.Count == 0)
        {
            return;
        }

        var filter = Volatile.Read(ref _buckets);
        if (filter is null || !ReferenceEquals(filter.State, state) || !ReferenceEquals(filter.Snapshot, snapshot))
        {
            filter = BuildFilter(state, snapshot);
            Volatile.Write(ref _buckets, filter);
        }

        if (filter.Prks.TryGetValue(bucket, out var prks))
        {
            Drop(filter.FillerKey, bucket, prks, entries);
        }
    }

    private BucketFilter BuildFilter(PrivateServingState state, Snapshot snapshot)
    {
        var prks = new Dictionary<long, List<byte[]>>();
        foreach (var form in snapshot.Forms)
        {
            if (!string.Equals(form.KeyId, state.Key.KeyId, StringComparison.Ordinal))
            {
                continue;
            }

            var bucket = state.Index.Layout.BucketOf(form.Section, form.BucketHash);
            if (bucket < 0)
            {
                continue;
            }

            var prk = new byte[PrivateEntryCodec.PrkSize];
            PrivateEntryCodec.DerivePrk(form.Output, state.Index.Salt, prk);
            if (!prks.TryGetValue(bucket, out var list))
            {
                prks[bucket] = list = [];
            }

            list.Add(prk);
        }

        var fillerKey = LoadKeys()?.DeriveSubkey([], "leakwatch/optout/filler/v1"u8, 32) ?? RandomNumberGenerator.GetBytes(32);
        return new BucketFilter(state, snapshot, prks, fillerKey);
    }

    /// <summary>Walks keycheck_0, keycheck_1, … of each opted-out identifier filed in this bucket, replaces each entry
    /// found with a filler (HMAC-SHA512 of the bucket and the entry, under a key-file subkey: 48 bytes no client can
    /// tell from a dummy), then sorts the bucket by keycheck again so every other identifier's search still works.</summary>
    private static void Drop(byte[] fillerKey, long bucket, List<byte[]> prks, Span<byte> entries)
    {
        Span<byte> keycheck = stackalloc byte[PrivateProtocol.KeycheckSize];
        Span<byte> mac = stackalloc byte[64];
        Span<byte> input = stackalloc byte[8 + PrivateProtocol.EntrySize];
        var replaced = false;
        foreach (var prk in prks)
        {
            for (var i = 0; i < PrivateProtocol.MaxEntriesPerIdentifier; i++)
            {
                PrivateEntryCodec.Keycheck(prk, i, keycheck);
                var at = PrivateEntryCodec.Find(entries, keycheck);
                if (at < 0)
                {
                    break;
                }

                var entry = entries.Slice(at * PrivateProtocol.EntrySize, PrivateProtocol.EntrySize);
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(input, bucket);
                entry.CopyTo(input[8..]);
                HMACSHA512.HashData(fillerKey, input, mac);
                mac[..PrivateProtocol.EntrySize].CopyTo(entry);
                replaced = true;
                // Keep the bucket sorted before the next search.
                SortEntries(entries);
            }
        }

        if (replaced)
        {
            SortEntries(entries);
        }
    }

    private static void SortEntries(Span<byte> entries)
    {
        var n = entries.Length / PrivateProtocol.EntrySize;
        var rows = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            rows[i] = entries.Slice(i * PrivateProtocol.EntrySize, PrivateProtocol.EntrySize).ToArray();
        }

        Array.Sort(rows, static (a, b) => a.AsSpan().SequenceCompareTo(b));
        for (var i = 0; i < n; i++)
        {
            rows[i].CopyTo(entries[(i * PrivateProtocol.EntrySize)..]);
        }
    }

    private KeyFile? LoadKeys() => File.Exists(_keyFilePath) ? KeyFile.Load(_keyFilePath) : null;

    private void Refresh()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) != 0)
        {
            return;
        }

        try
        {
            Reload(throwOnError: false);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    /// <summary>Reads the opt-out count and, when it moved (or at start), the list.</summary>
    private void Reload(bool throwOnError)
    {
        try
        {
            using var store = StateStore.OpenReadOnly(_state, _options.DataDir);
            if (store is null)
            {
                return; // a fresh data dir: nothing opted out yet
            }

            if (!HasOptOutTables(store))
            {
                return; // a store last written before migration 0007: nothing can be opted out yet (a write applies it)
            }

            var count = store.OptOutCount();
            if (count == Volatile.Read(ref _current).StoreCount && !throwOnError)
            {
                return;
            }

            var records = store.OptOutRecords();
            var keys = new HashSet<UInt128>(records.Count);
            var forms = new List<OptOutPrivateForm.Entry>();
            var keyFile = LoadKeys();
            foreach (var r in records)
            {
                keys.Add(IndexKeys.ReadBigEndian(r.MatchKey));
                if (r.SealedPrivate is not null && keyFile is not null)
                {
                    forms.AddRange(OptOutPrivateForm.Open(keyFile, r.SealedPrivate));
                }
            }

            lock (_gate)
            {
                Volatile.Write(ref _current, new Snapshot(keys.ToFrozenSet(), forms, count));
            }

            if (!throwOnError)
            {
                LogReloaded(_log, keys.Count);
            }
        }
        catch (Exception e) when (!throwOnError && e is LeakwatchException or IOException or InvalidOperationException
                                      or Microsoft.Data.Sqlite.SqliteException or CryptographicException or KeyFileException)
        {
            LogFailed(_log, e.Message);
        }
    }

    /// <summary>False when the store has not applied migration 0007 yet (the server does not migrate an embedded store
    /// it only reads; the first subscribe or opt-out, or any write command, applies it).</summary>
    private bool HasOptOutTables(StateStore store)
    {
        if (_schemaCurrent)
        {
            return true;
        }

        foreach (var pending in store.Schema().Pending)
        {
            if (pending.Contains("0007_optout_requests", StringComparison.Ordinal))
            {
                return false;
            }
        }

        _schemaCurrent = true;
        return true;
    }

    public void Dispose() => _timer.Dispose();

    private sealed record Snapshot(FrozenSet<UInt128> Keys, IReadOnlyList<OptOutPrivateForm.Entry> Forms, long StoreCount)
    {
        public static readonly Snapshot Empty = new(FrozenSet<UInt128>.Empty, [], 0);
    }

    private sealed record BucketFilter(PrivateServingState State, Snapshot Snapshot, Dictionary<long, List<byte[]>> Prks, byte[] FillerKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Opt-outs reloaded: {Count} identifiers hidden from public search")]
    private static partial void LogReloaded(ILogger log, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading opt-outs failed, keeping the set held: {Message}")]
    private static partial void LogFailed(ILogger log, string message);
}
