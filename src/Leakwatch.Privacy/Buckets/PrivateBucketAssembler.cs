using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// Builds one bucket of the next private index from the previous generation's bucket and the chains of the
/// identifiers being (re)indexed there. Old entries are carried over byte for byte, except the chains of re-indexed
/// identifiers (found by their keychecks) and as many randomly chosen dummies as the new real entries displace; fresh
/// dummies fill any remaining room. Two generations of a bucket therefore differ only where something was added or
/// replaced. The chains already hold the entries, so this is search and copy. Single-threaded; reuses its buffers.
/// </summary>
public sealed class PrivateBucketAssembler
{
    private readonly OprfServerKey _key;
    private readonly PrivateIndexReader? _old;
    private readonly IPrivateRandom _random;
    private byte[] _flags = new byte[1024];
    private int[] _fresh = new int[1024];
    private int[] _dummies = new int[1024];
    private (UInt128 Keycheck, int Index)[] _order = new (UInt128, int)[1024];
    private byte[] _unsorted = new byte[64 * 1024];
    private byte[] _oldBucket = [];

    private const byte Real = 0, Dummy = 1, Removed = 2;

    public PrivateBucketAssembler(OprfServerKey key, ReadOnlySpan<byte> salt, PrivateIndexReader? old, IPrivateRandom random)
    {
        if (old is not null && (!old.Salt.SequenceEqual(salt) || old.KeyId != key.KeyId || !old.CanDecrypt))
        {
            throw new PrivateIndexException($"{old.Path}: a merge keeps salt and key, and needs the key to decrypt; this index differs");
        }

        _key = key;
        _old = old;
        _random = random;
    }

    /// <summary>Identifiers given entries (counted by <see cref="Assemble"/>).</summary>
    public long Indexed { get; private set; }

    /// <summary>Old entries dropped because their identifier was re-indexed (counted by <see cref="Assemble"/>).</summary>
    public long Replaced { get; private set; }

    /// <summary>Pass 1: how many real entries the bucket will hold. <paramref name="bucket"/> names it by its
    /// stable id (<see cref="PrivateSection.StableId"/>); <paramref name="oldBucket"/> is its number in the previous
    /// generation, or -1 when its section is new.</summary>
    public int CountReal(long bucket, long oldBucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains) =>
        Process(bucket, oldBucket, records, chains, 0, default, write: false);

    /// <summary>Pass 2: writes the bucket (exactly bucketEntries × 48 bytes, sorted by keycheck); returns its real entries.</summary>
    public int Assemble(long bucket, long oldBucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains, int bucketEntries, Span<byte> output) =>
        Process(bucket, oldBucket, records, chains, bucketEntries, output[..(bucketEntries * PrivateProtocol.EntrySize)], write: true);

    private int Process(long bucket, long oldBucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains, int bucketEntries, Span<byte> output, bool write)
    {
        var old = OldBucket(oldBucket);
        var flags = ClassifyOld(bucket, old);
        var freshCount = TakeChains(records, chains, old, flags, write);
        var realCount = freshCount + CountKeptOld(flags, out var oldDummies);
        if (!write)
        {
            return realCount;
        }

        if (realCount > bucketEntries)
        {
            throw new InvalidOperationException($"bucket {bucket} needs {realCount} entries but holds {bucketEntries}");
        }

        Fill(bucket, old, flags, chains, freshCount, room: bucketEntries - realCount, oldDummies, bucketEntries, output);
        return realCount;
    }

    /// <summary>The previous generation's bucket, decrypted into a reused buffer; empty when there is none.</summary>
    private ReadOnlySpan<byte> OldBucket(long oldBucket)
    {
        if (_old is null || oldBucket < 0)
        {
            return default;
        }

        if (_oldBucket.Length != _old.BucketBytes)
        {
            _oldBucket = new byte[_old.BucketBytes];
        }

        _old.ReadBucket(oldBucket, _oldBucket);
        return _oldBucket;
    }

    /// <summary>Flags every entry of the previous generation's bucket as real or dummy.</summary>
    private Span<byte> ClassifyOld(long bucket, ReadOnlySpan<byte> old)
    {
        const int E = PrivateProtocol.EntrySize;
        var oldCount = old.Length / E;
        Grow(ref _flags, oldCount);
        var flags = _flags.AsSpan(0, oldCount);
        var dummyKey = _key.DummyKey;
        for (var j = 0; j < oldCount; j++)
        {
            flags[j] = PrivateEntryCodec.IsDummy(dummyKey, bucket, old.Slice(j * E, E)) ? Dummy : Real;
        }

        return flags;
    }

    /// <summary>Walks the identifiers being (re)indexed: their previous chains are flagged removed, and (when
    /// writing) where their new entries lie is noted. Returns how many new entries they bring.</summary>
    [SkipLocalsInit]
    private int TakeChains(ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains, ReadOnlySpan<byte> old, Span<byte> flags, bool write)
    {
        const int E = PrivateProtocol.EntrySize;
        Span<byte> keycheck = stackalloc byte[PrivateProtocol.KeycheckSize];
        Span<ushort> ids = stackalloc ushort[PrivateProtocol.IdsPerEntry];
        var freshCount = 0;
        var hasPrevious = false;
        UInt128 previous = default;
        foreach (ref readonly var r in records)
        {
            var key = r.Key;
            if (hasPrevious && key == previous)
            {
                continue; // the same identifier met twice (in two chunks or two sources)
            }

            hasPrevious = true;
            previous = key;
            var chain = chains.Slice(r.ChainOffset, r.ChainLength);
            var entries = chain[PrivateEntryCodec.PrkSize];
            RemovePreviousChain(chain, old, flags, keycheck, ids, write);
            if (entries == 0)
            {
                continue;
            }

            if (write)
            {
                Grow(ref _fresh, freshCount + entries);
                for (var i = 0; i < entries; i++)
                {
                    _fresh[freshCount + i] = r.ChainOffset + PrivateChain.HeaderSize + i * E;
                }

                Indexed++;
            }

            freshCount += entries;
        }

        return freshCount;
    }

    /// <summary>Drops the identifier's previous chain: keycheck_0, 1, … as a client walks it. The new chain's own
    /// entries carry keycheck_0 … keycheck_(k-1); beyond them (an old chain that was longer) they are derived and the
    /// old entries decrypted to follow their "more" flag.</summary>
    private void RemovePreviousChain(ReadOnlySpan<byte> chain, ReadOnlySpan<byte> old, Span<byte> flags, Span<byte> keycheck,
        Span<ushort> ids, bool write)
    {
        const int E = PrivateProtocol.EntrySize;
        var prk = chain[..PrivateEntryCodec.PrkSize];
        var entries = chain[PrivateEntryCodec.PrkSize];
        var fresh = chain[PrivateChain.HeaderSize..];
        for (var i = 0; flags.Length > 0 && i < PrivateProtocol.MaxEntriesPerIdentifier; i++)
        {
            if (i < entries)
            {
                fresh.Slice(i * E, PrivateProtocol.KeycheckSize).CopyTo(keycheck);
            }
            else
            {
                PrivateEntryCodec.Keycheck(prk, i, keycheck);
            }

            var at = PrivateEntryCodec.Find(old, keycheck);
            if (at < 0 || flags[at] != Real)
            {
                break;
            }

            flags[at] = Removed;
            if (write)
            {
                Replaced++;
            }

            if (i >= entries - 1
                && (!PrivateEntryCodec.TryDecode(prk, i, old.Slice(at * E, E), ids, out _, out var more) || !more))
            {
                break;
            }
        }
    }

    /// <summary>Old real entries that stay; the old dummies' indexes go to the dummy scratch buffer.</summary>
    private int CountKeptOld(ReadOnlySpan<byte> flags, out int oldDummies)
    {
        var kept = 0;
        oldDummies = 0;
        Grow(ref _dummies, flags.Length);
        for (var j = 0; j < flags.Length; j++)
        {
            if (flags[j] == Real)
            {
                kept++;
            }
            else if (flags[j] == Dummy)
            {
                _dummies[oldDummies++] = j;
            }
        }

        return kept;
    }

    /// <summary>Real entries, then the dummies kept: a random subset of the old ones, topped up with fresh ones;
    /// then sorted by keycheck into <paramref name="output"/>.</summary>
    private void Fill(long bucket, ReadOnlySpan<byte> old, ReadOnlySpan<byte> flags, ReadOnlySpan<byte> chains, int freshCount,
        int room, int oldDummies, int bucketEntries, Span<byte> output)
    {
        const int E = PrivateProtocol.EntrySize;
        Grow(ref _unsorted, bucketEntries * E);
        var unsorted = _unsorted.AsSpan(0, bucketEntries * E);
        var n = 0;
        for (var j = 0; j < flags.Length; j++)
        {
            if (flags[j] == Real)
            {
                old.Slice(j * E, E).CopyTo(unsorted[(n++ * E)..]);
            }
        }

        for (var f = 0; f < freshCount; f++)
        {
            chains.Slice(_fresh[f], E).CopyTo(unsorted[(n++ * E)..]);
        }

        var keep = Math.Min(room, oldDummies);
        for (var k = 0; k < keep; k++)
        {
            var pick = k + _random.Next(oldDummies - k);
            (_dummies[k], _dummies[pick]) = (_dummies[pick], _dummies[k]);
            old.Slice(_dummies[k] * E, E).CopyTo(unsorted[(n++ * E)..]);
        }

        if (n < bucketEntries)
        {
            // One call to the random source for all fresh dummies; keychecks are then set in place.
            _random.Fill(unsorted[(n * E)..]);
            var dummyKey = _key.DummyKey;
            for (; n < bucketEntries; n++)
            {
                PrivateEntryCodec.SealDummy(dummyKey, bucket, unsorted.Slice(n * E, E));
            }
        }

        SortByKeycheck(unsorted, output, bucketEntries);
    }

    private void SortByKeycheck(ReadOnlySpan<byte> entries, Span<byte> output, int count)
    {
        const int E = PrivateProtocol.EntrySize;
        if (_order.Length < count)
        {
            _order = new (UInt128, int)[Math.Max(count, 2 * _order.Length)];
        }

        var order = _order.AsSpan(0, count);
        for (var j = 0; j < count; j++)
        {
            order[j] = (BinaryPrimitives.ReadUInt128BigEndian(entries.Slice(j * E, PrivateProtocol.KeycheckSize)), j);
        }

        order.Sort(static (a, b) => a.Keycheck.CompareTo(b.Keycheck));
        for (var j = 0; j < count; j++)
        {
            entries.Slice(order[j].Index * E, E).CopyTo(output[(j * E)..]);
        }
    }

    /// <summary>Grows a scratch buffer, keeping what it holds (fresh entries accumulate across identifiers).</summary>
    private static void Grow<T>(ref T[] buffer, int needed)
    {
        if (buffer.Length < needed)
        {
            Array.Resize(ref buffer, Math.Max(needed, 2 * buffer.Length));
        }
    }
}
