using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy.Private;

/// <summary>
/// One identifier's chain as the OPRF phase leaves it for the merge: <c>prk (32) || u8 k || k entries (48 each)</c>,
/// where prk = HKDF-Extract(salt, y) and the k entries list the identifier's breaches (k = 0 when it has none left).
/// All the per-identifier cryptography happens here, on all cores; the merge only compares and copies.
/// </summary>
public static class PrivateChain
{
    public const int HeaderSize = PrivateEntryCodec.PrkSize + 1;
    public const int MaxSize = HeaderSize + PrivateProtocol.MaxEntriesPerIdentifier * PrivateProtocol.EntrySize;

    /// <summary>Writes the chain of an identifier with PRF output <paramref name="y"/> in <paramref name="breachIds"/>
    /// (ascending catalogue ids); returns its length.</summary>
    [SkipLocalsInit]
    public static int Encode(ReadOnlySpan<byte> y, ReadOnlySpan<byte> salt, ReadOnlySpan<int> breachIds, IPrivateRandom random, Span<byte> destination)
    {
        var entries = breachIds.IsEmpty ? 0 : PrivateProtocol.EntriesFor(breachIds.Length);
        if (entries > PrivateProtocol.MaxEntriesPerIdentifier)
        {
            throw new PrivateIndexException($"an identifier is in {breachIds.Length} breaches; the private format holds at most {PrivateProtocol.MaxEntriesPerIdentifier * PrivateProtocol.IdsPerEntry}");
        }

        var prk = destination[..PrivateEntryCodec.PrkSize];
        PrivateEntryCodec.DerivePrk(y, salt, prk);
        destination[PrivateEntryCodec.PrkSize] = (byte)entries;
        Span<ushort> ids = stackalloc ushort[PrivateProtocol.IdsPerEntry];
        Span<byte> nonce = stackalloc byte[PrivateProtocol.NonceSize];
        for (var i = 0; i < entries; i++)
        {
            var slice = breachIds.Slice(i * PrivateProtocol.IdsPerEntry, Math.Min(PrivateProtocol.IdsPerEntry, breachIds.Length - i * PrivateProtocol.IdsPerEntry));
            for (var k = 0; k < slice.Length; k++)
            {
                if (slice[k] is < 1 or > PrivateProtocol.MaxBreachId)
                {
                    throw new PrivateIndexException($"breach id {slice[k]} does not fit the private format (1–{PrivateProtocol.MaxBreachId})");
                }

                ids[k] = (ushort)slice[k];
            }

            random.Fill(nonce);
            PrivateEntryCodec.Encode(prk, i, nonce, ids[..slice.Length], more: i < entries - 1,
                destination.Slice(HeaderSize + i * PrivateProtocol.EntrySize, PrivateProtocol.EntrySize));
        }

        return HeaderSize + entries * PrivateProtocol.EntrySize;
    }
}

/// <summary>An identifier in the merge: its bucket hash and exposure-index key, and where its chain lies in the
/// partition's byte arena. The identifier itself is gone by this point.</summary>
public struct PrivateRecord
{
    public uint BucketHash;
    public ulong KeyHigh;
    public ulong KeyLow;
    public int ChainOffset;
    public int ChainLength;

    public readonly UInt128 Key => new(KeyHigh, KeyLow);

    /// <summary>Serialized (in the OPRF outputs): <c>u32be bucket hash || u64be key high || u64be key low || u16be chain length</c>, then the chain.</summary>
    public const int SerializedHeaderSize = 4 + 8 + 8 + 2;

    public static void WriteHeader(Span<byte> destination, uint bucketHash, UInt128 key, int chainLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, bucketHash);
        BinaryPrimitives.WriteUInt128BigEndian(destination[4..], key);
        BinaryPrimitives.WriteUInt16BigEndian(destination[20..], checked((ushort)chainLength));
    }

    /// <summary>Reads a serialized header; the chain follows it.</summary>
    public static PrivateRecord ReadHeader(ReadOnlySpan<byte> source) => new()
    {
        BucketHash = BinaryPrimitives.ReadUInt32BigEndian(source),
        KeyHigh = BinaryPrimitives.ReadUInt64BigEndian(source[4..]),
        KeyLow = BinaryPrimitives.ReadUInt64BigEndian(source[12..]),
        ChainLength = BinaryPrimitives.ReadUInt16BigEndian(source[20..]),
    };

    /// <summary>Bucket order, then key order: equal keys (the same identifier met twice) end up adjacent.</summary>
    public static int Compare(PrivateRecord a, PrivateRecord b)
    {
        var c = a.BucketHash.CompareTo(b.BucketHash);
        if (c != 0)
        {
            return c;
        }

        c = a.KeyHigh.CompareTo(b.KeyHigh);
        return c != 0 ? c : a.KeyLow.CompareTo(b.KeyLow);
    }
}

/// <summary>Draws randomness from a refilled buffer: a nonce per entry without a system call per nonce. One per thread.</summary>
public sealed class BufferedPrivateRandom(IPrivateRandom source) : IPrivateRandom
{
    private readonly byte[] _buffer = new byte[4096];
    private int _at = 4096;

    public void Fill(Span<byte> destination)
    {
        if (destination.Length > _buffer.Length)
        {
            source.Fill(destination);
            return;
        }

        if (_at + destination.Length > _buffer.Length)
        {
            source.Fill(_buffer);
            _at = 0;
        }

        _buffer.AsSpan(_at, destination.Length).CopyTo(destination);
        _at += destination.Length;
    }

    public int Next(int maxExclusive) => source.Next(maxExclusive);
}

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

    private const byte Real = 0, Dummy = 1, Removed = 2;

    public PrivateBucketAssembler(OprfServerKey key, ReadOnlySpan<byte> salt, int bucketBits, PrivateIndexReader? old, IPrivateRandom random)
    {
        if (old is not null && (old.BucketBits != bucketBits || !old.Salt.SequenceEqual(salt) || old.KeyId != key.KeyId))
        {
            throw new PrivateIndexException($"{old.Path}: a merge keeps bucketBits, salt and key; this index differs");
        }

        _key = key;
        BucketBits = bucketBits;
        _old = old;
        _random = random;
    }

    public int BucketBits { get; }

    /// <summary>Identifiers given entries (counted by <see cref="Assemble"/>).</summary>
    public long Indexed { get; private set; }

    /// <summary>Old entries dropped because their identifier was re-indexed (counted by <see cref="Assemble"/>).</summary>
    public long Replaced { get; private set; }

    /// <summary>Pass 1: how many real entries the bucket will hold.</summary>
    public int CountReal(int bucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains) =>
        Process(bucket, records, chains, 0, default, write: false);

    /// <summary>Pass 2: writes the bucket (exactly bucketEntries × 48 bytes, sorted by keycheck); returns its real entries.</summary>
    public int Assemble(int bucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains, int bucketEntries, Span<byte> output) =>
        Process(bucket, records, chains, bucketEntries, output[..(bucketEntries * PrivateProtocol.EntrySize)], write: true);

    [SkipLocalsInit]
    private int Process(int bucket, ReadOnlySpan<PrivateRecord> records, ReadOnlySpan<byte> chains, int bucketEntries, Span<byte> output, bool write)
    {
        const int E = PrivateProtocol.EntrySize;
        var old = _old is null ? default : _old.Bucket(bucket);
        var oldCount = old.Length / E;
        Grow(ref _flags, oldCount);
        var flags = _flags.AsSpan(0, oldCount);
        var dummyKey = _key.DummyKey;
        for (var j = 0; j < oldCount; j++)
        {
            flags[j] = PrivateEntryCodec.IsDummy(dummyKey, bucket, old.Slice(j * E, E)) ? Dummy : Real;
        }

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
            var prk = chain[..PrivateEntryCodec.PrkSize];
            var entries = chain[PrivateEntryCodec.PrkSize];
            var fresh = chain[PrivateChain.HeaderSize..];

            // Drop the identifier's previous chain: keycheck_0, 1, … as a client walks it. The new chain's own entries
            // carry keycheck_0 … keycheck_(k-1); beyond them (an old chain that was longer) they are derived and the
            // old entries decrypted to follow their "more" flag.
            for (var i = 0; oldCount > 0 && i < PrivateProtocol.MaxEntriesPerIdentifier; i++)
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

        var realCount = freshCount;
        var oldDummies = 0;
        Grow(ref _dummies, oldCount);
        for (var j = 0; j < oldCount; j++)
        {
            if (flags[j] == Real)
            {
                realCount++;
            }
            else if (flags[j] == Dummy)
            {
                _dummies[oldDummies++] = j;
            }
        }

        if (!write)
        {
            return realCount;
        }

        if (realCount > bucketEntries)
        {
            throw new InvalidOperationException($"bucket {bucket} needs {realCount} entries but holds {bucketEntries}");
        }

        // Real entries, then the dummies kept: a random subset of the old ones, topped up with fresh ones.
        Grow(ref _unsorted, bucketEntries * E);
        var unsorted = _unsorted.AsSpan(0, bucketEntries * E);
        var n = 0;
        for (var j = 0; j < oldCount; j++)
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

        var room = bucketEntries - realCount;
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
            for (; n < bucketEntries; n++)
            {
                PrivateEntryCodec.SealDummy(dummyKey, bucket, unsorted.Slice(n * E, E));
            }
        }

        SortByKeycheck(unsorted, output, bucketEntries);
        return realCount;
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
