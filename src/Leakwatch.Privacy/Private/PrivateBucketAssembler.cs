using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy.Private;

/// <summary>The 64-byte OPRF output y, inline.</summary>
[InlineArray(OprfSuite.OutputSize)]
public struct PrfOutput
{
    private byte _element0;
}

/// <summary>One identifier ready for the private index: its bucket hash, its exposure-index key (to look up its
/// breaches) and y = F(skS, x). The identifier itself is gone by this point.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct PrivateRecord
{
    public const int SerializedSize = 4 + 16 + OprfSuite.OutputSize;

    public uint BucketHash;
    public ulong KeyHigh;
    public ulong KeyLow;
    public PrfOutput Y;

    public readonly UInt128 Key => new(KeyHigh, KeyLow);

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, BucketHash);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], KeyHigh);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], KeyLow);
        ((ReadOnlySpan<byte>)Y).CopyTo(destination[20..]);
    }

    public static PrivateRecord Read(ReadOnlySpan<byte> source)
    {
        var r = new PrivateRecord
        {
            BucketHash = BinaryPrimitives.ReadUInt32BigEndian(source),
            KeyHigh = BinaryPrimitives.ReadUInt64BigEndian(source[4..]),
            KeyLow = BinaryPrimitives.ReadUInt64BigEndian(source[12..]),
        };
        source.Slice(20, OprfSuite.OutputSize).CopyTo(r.Y);
        return r;
    }

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

/// <summary>
/// Builds one bucket of the next private index from the previous generation's bucket and the identifiers being
/// (re)indexed there. Old entries are carried over byte for byte, except the chains of re-indexed identifiers
/// (found by their keychecks) and as many randomly chosen dummies as the new real entries displace; fresh dummies
/// fill any remaining room. Two generations of a bucket therefore differ only where something was added or replaced.
/// Each identifier's entries list its full breach set from the exposure index. Single-threaded; reuses its buffers.
/// </summary>
public sealed class PrivateBucketAssembler
{
    private readonly OprfServerKey _key;
    private readonly byte[] _salt;
    private readonly PrivateIndexReader? _old;
    private readonly Func<UInt128, int[]> _breachesOf;
    private readonly IPrivateRandom _random;
    private byte[] _flags = new byte[1024];
    private byte[] _fresh = new byte[64 * 1024];
    private int[] _dummies = new int[1024];
    private (UInt128 Keycheck, int Index)[] _order = new (UInt128, int)[1024];
    private byte[] _unsorted = new byte[64 * 1024];

    private const byte Real = 0, Dummy = 1, Removed = 2;

    public PrivateBucketAssembler(OprfServerKey key, ReadOnlySpan<byte> salt, int bucketBits, PrivateIndexReader? old,
        Func<UInt128, int[]> breachesOf, IPrivateRandom random)
    {
        if (old is not null && (old.BucketBits != bucketBits || !old.Salt.SequenceEqual(salt) || old.KeyId != key.KeyId))
        {
            throw new PrivateIndexException($"{old.Path}: a merge keeps bucketBits, salt and key; this index differs");
        }

        _key = key;
        _salt = salt.ToArray();
        BucketBits = bucketBits;
        _old = old;
        _breachesOf = breachesOf;
        _random = random;
    }

    public int BucketBits { get; }

    /// <summary>Identifiers given entries (counted by <see cref="Assemble"/>).</summary>
    public long Indexed { get; private set; }

    /// <summary>Identifiers whose exposure-index key holds no breach: nothing to list, so no entries.</summary>
    public long NotInIndex { get; private set; }

    /// <summary>Old entries dropped because their identifier was re-indexed.</summary>
    public long Replaced { get; private set; }

    /// <summary>Pass 1: how many real entries the bucket will hold.</summary>
    public int CountReal(int bucket, ReadOnlySpan<PrivateRecord> records) => Process(bucket, records, 0, default, write: false);

    /// <summary>Pass 2: writes the bucket (exactly bucketEntries × 48 bytes, sorted by keycheck); returns its real entries.</summary>
    public int Assemble(int bucket, ReadOnlySpan<PrivateRecord> records, int bucketEntries, Span<byte> output) =>
        Process(bucket, records, bucketEntries, output[..(bucketEntries * PrivateProtocol.EntrySize)], write: true);

    [SkipLocalsInit]
    private int Process(int bucket, ReadOnlySpan<PrivateRecord> records, int bucketEntries, Span<byte> output, bool write)
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

        Span<byte> prk = stackalloc byte[PrivateEntryCodec.PrkSize];
        Span<byte> keycheck = stackalloc byte[PrivateProtocol.KeycheckSize];
        Span<ushort> ids = stackalloc ushort[PrivateProtocol.IdsPerEntry];
        Span<byte> nonce = stackalloc byte[PrivateProtocol.NonceSize];
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
            var set = _breachesOf(key);
            var needPrk = oldCount > 0 || (write && set.Length > 0);
            if (needPrk)
            {
                PrivateEntryCodec.DerivePrk(r.Y, _salt, prk);
            }

            // Drop the identifier's previous chain: walk keycheck_0, 1, … as a client would.
            for (var i = 0; oldCount > 0 && i < PrivateProtocol.MaxEntriesPerIdentifier; i++)
            {
                PrivateEntryCodec.Keycheck(prk, i, keycheck);
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

                if (!PrivateEntryCodec.TryDecode(prk, i, old.Slice(at * E, E), ids, out _, out var more) || !more)
                {
                    break;
                }
            }

            if (set.Length == 0)
            {
                if (write)
                {
                    NotInIndex++;
                }

                continue;
            }

            var entries = PrivateProtocol.EntriesFor(set.Length);
            if (entries > PrivateProtocol.MaxEntriesPerIdentifier)
            {
                throw new PrivateIndexException($"an identifier is in {set.Length} breaches; the private format holds at most {PrivateProtocol.MaxEntriesPerIdentifier * PrivateProtocol.IdsPerEntry}");
            }

            if (write)
            {
                Grow(ref _fresh, (freshCount + entries) * E);
                for (var i = 0; i < entries; i++)
                {
                    var slice = set.AsSpan(i * PrivateProtocol.IdsPerEntry, Math.Min(PrivateProtocol.IdsPerEntry, set.Length - i * PrivateProtocol.IdsPerEntry));
                    for (var k = 0; k < slice.Length; k++)
                    {
                        if (slice[k] is < 1 or > PrivateProtocol.MaxBreachId)
                        {
                            throw new PrivateIndexException($"breach id {slice[k]} does not fit the private format (1–{PrivateProtocol.MaxBreachId})");
                        }

                        ids[k] = (ushort)slice[k];
                    }

                    _random.Fill(nonce);
                    PrivateEntryCodec.Encode(prk, i, nonce, ids[..slice.Length], more: i < entries - 1, _fresh.AsSpan((freshCount + i) * E, E));
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

        _fresh.AsSpan(0, freshCount * E).CopyTo(unsorted[(n * E)..]);
        n += freshCount;
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
