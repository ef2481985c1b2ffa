using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Leakwatch.Storage.Sorting;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// One of a collector's two buffers: a byte arena of aliases (<c>[length u8][UTF-8]</c>), fixed-size entries
/// pointing into it (<see cref="DomainAliasEntry"/>), and the domains its entries name. The reading thread fills
/// one while a background task sorts and spills the other (<see cref="WriteRun"/>), so no reader waits on a sort.
/// The arena and the entries are one array each, reserved when the buffer is made for the most a filling can hold,
/// uninitialised, and kept from one filling to the next: only the pages a filling writes are ever touched, and
/// memory once touched is reused. On a virtual machine each first touch of a page is dear: doubling a pooled array
/// touched twice the memory and copied it, and an arena of 1 MiB chunks allocated as the read went took the memory
/// the index's growing sort buffers would have reused, so those faulted in fresh pages instead.
/// </summary>
internal sealed class DomainAliasBuffer : IDisposable
{
    /// <summary>Past the budget an append writes at most a length byte and 3 bytes for each of 255 chars.</summary>
    private const int AppendSlack = 1 + (3 * byte.MaxValue);
    private const int EntryBytes = 24;

    private readonly List<DomainInfo> _domains = [];
    private byte[] _arena;
    private DomainAliasEntry[] _entries;

    /// <summary>The arena's next free byte.</summary>
    private int _at;

    /// <param name="budgetBytes">The <see cref="Footprint"/> at which the collector hands the buffer off.</param>
    public DomainAliasBuffer(long budgetBytes)
    {
        _arena = LargeBuffers.Allocate<byte>((int)Math.Min(budgetBytes + AppendSlack, Array.MaxLength));
        _entries = LargeBuffers.Allocate<DomainAliasEntry>((int)Math.Min(budgetBytes / EntryBytes, Array.MaxLength - 1) + 1);
    }

    /// <summary>Which filling of this buffer it is (a <see cref="DomainInfo.BufferId"/> holds for one filling).</summary>
    public long Generation { get; private set; }

    public int Count { get; private set; }

    /// <summary>Bytes the buffer holds: the arena and the entries.</summary>
    public long Footprint => _at + ((long)Count * EntryBytes);

    /// <summary>Empties the buffer for its next filling.</summary>
    public void Reset(long generation)
    {
        Generation = generation;
        Count = 0;
        _at = 0;
        _domains.Clear();
    }

    /// <summary>The buffer's id for <paramref name="domain"/>, assigned on its first alias in this filling.</summary>
    public int DomainId(DomainInfo domain)
    {
        if (domain.BufferGeneration != Generation)
        {
            domain.BufferGeneration = Generation;
            domain.BufferId = _domains.Count;
            _domains.Add(domain);
        }

        return domain.BufferId;
    }

    /// <summary>Appends an alias of domain <paramref name="domainId"/>; false when it is longer than 255 UTF-8 bytes.</summary>
    public bool Add(int domainId, ReadOnlySpan<char> alias)
    {
        // An alias longer than 255 bytes is refused below, so a record never needs more than 1 + 3 * 255 bytes here.
        if (alias.Length > byte.MaxValue)
        {
            return false;
        }

        if (_at + 1 + (3 * alias.Length) > _arena.Length)
        {
            // Only a budget the collector does not hand off at gets here (the arena holds the budget and a slack).
            // The old arena held aliases in clear: wiped once copied.
            var grown = LargeBuffers.Allocate<byte>((int)Math.Min(2L * _arena.Length, Array.MaxLength));
            _arena.AsSpan(0, _at).CopyTo(grown);
            _arena.AsSpan(0, _at).Clear();
            _arena = grown;
        }

        var arena = _arena;
        var n = System.Text.Encoding.UTF8.GetBytes(alias, arena.AsSpan(_at + 1));
        if (n > byte.MaxValue)
        {
            return false;
        }

        arena[_at] = (byte)n;
        if (Count == _entries.Length)
        {
            // Past the budget (the collector hands off at it, so only a budget under one entry gets here).
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        var (first, second) = DomainAliasEntry.PrefixOf(arena.AsSpan(_at + 1, n));
        _entries[Count++] = new DomainAliasEntry(first, second, domainId, _at);
        _at += 1 + n;
        return true;
    }

    public ref readonly DomainAliasEntry Entry(int i) => ref _entries[i];

    /// <summary>Sorts the entries where they lie, for a merge that reads this buffer itself (<see cref="DomainBufferCursor"/>):
    /// a collector's last buffer, whose aliases would otherwise be sealed, written and read back at once.</summary>
    public void SortInPlace() => DomainAliasSort.Sort(_entries.AsSpan(0, Count), this);

    /// <summary>Asks the CPU to fetch an alias's bytes ahead of use: a sorted buffer is read in alias order, which
    /// is random in the arena, and the merge would otherwise wait on a cache miss for nearly every alias.</summary>
    public unsafe void Prefetch(int offset)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            // A hint only: the address of an array the GC may later move is still safe to prefetch.
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref _arena[offset]));
        }
    }

    public ReadOnlySpan<byte> Alias(int offset)
    {
        return _arena.AsSpan(offset + 1, _arena[offset]);
    }

    public ReadOnlySpan<byte> DomainBytes(int domainId) => _domains[domainId].Utf8;

    public ulong DomainTag(int domainId) => _domains[domainId].Tag;

    /// <summary>For each domain id of this filling, its rank in (tag, domain bytes) order; ids of one domain (met
    /// again after the collector's cache was cleared) share a rank. <paramref name="count"/> is the number of ranks.</summary>
    public int[] DomainRanks(out int count)
    {
        var order = new int[_domains.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => CompareDomains(_domains[a], _domains[b]));
        var ranks = new int[order.Length];
        count = 0;
        for (var i = 0; i < order.Length; i++)
        {
            if (i > 0 && CompareDomains(_domains[order[i - 1]], _domains[order[i]]) != 0)
            {
                count++;
            }

            ranks[order[i]] = count;
        }

        count = order.Length == 0 ? 0 : count + 1;
        return ranks;
    }

    private static int CompareDomains(DomainInfo a, DomainInfo b) =>
        a.Tag != b.Tag ? a.Tag.CompareTo(b.Tag) : a.Utf8.AsSpan().SequenceCompareTo(b.Utf8);

    /// <summary>Sorts the entries and writes them, deduplicated, as one sealed run; null when the buffer is empty.
    /// Run records: <c>[tag u64 BE][domain length u8][domain][alias length u8][alias]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ISpilledRun<byte>? WriteRun(EncryptedTempRuns<byte> runStore)
    {
        if (Count == 0)
        {
            return null;
        }

        var entries = _entries.AsSpan(0, Count);
        DomainAliasSort.Sort(entries, this);
        using var writer = runStore.Create();
        var record = new byte[8 + 1 + 255 + 1 + 255];
        for (var i = 0; i < entries.Length; i++)
        {
            ref readonly var e = ref entries[i];
            if (i > 0 && DomainAliasSort.Compare(entries[i - 1], e, this) == 0)
            {
                continue;
            }

            BinaryPrimitives.WriteUInt64BigEndian(record, _domains[e.Domain].Tag);
            var domain = _domains[e.Domain].Utf8;
            record[8] = (byte)domain.Length;
            domain.CopyTo(record, 9);
            var alias = Alias(e.Offset);
            record[9 + domain.Length] = (byte)alias.Length;
            alias.CopyTo(record.AsSpan(10 + domain.Length));
            writer.Write(record.AsSpan(0, 10 + domain.Length + alias.Length));
        }

        var run = writer.Complete();
        Wipe();
        return run;
    }

    /// <summary>The arena held aliases in clear: wiped before the buffer is filled again or dropped.</summary>
    private void Wipe()
    {
        _arena.AsSpan(0, _at).Clear();
    }

    public void Dispose()
    {
        if (_entries.Length > 0)
        {
            Wipe();
            _entries = [];
            _arena = [];
        }
    }
}
