using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Leakwatch.Storage.Memory;
using Leakwatch.Storage.Sorting;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// One of a collector's two buffers: fixed-size entries (<see cref="DomainAliasEntry"/>: an alias of up to 24 bytes
/// lies wholly in its entry), a byte arena of the longer aliases (<c>[length u8][UTF-8]</c>) the entries point into,
/// and the domains its entries name. The reading thread fills one while a background task sorts and spills the other
/// (<see cref="WriteRun"/>), so no reader waits on a sort. The entries and the arena are one block each, reserved
/// when the buffer is made for the most a filling can hold, uninitialised, and kept from one filling to the next:
/// only the pages a filling writes are ever touched, and memory once touched is reused. On a virtual machine each
/// first touch of a page is dear: doubling a pooled array touched twice the memory and copied it, and an arena of
/// 1 MiB chunks allocated as the read went took the memory the index's growing sort buffers would have reused, so
/// those faulted in fresh pages instead. The blocks lie outside the managed heap (<see cref="NativeBlock{T}"/>): as
/// large arrays they spent the collector's large-object budget at the start of every ingest, and the ingest's peak
/// memory rose by more than their contents. Both hold aliases in clear and are wiped before reuse and when dropped.
/// </summary>
internal sealed class DomainAliasBuffer : IDisposable
{
    /// <summary>Past the budget an append writes at most a length byte and 3 bytes for each of 255 chars.</summary>
    private const int AppendSlack = 1 + (3 * byte.MaxValue);
    private const int EntryBytes = 32;

    private readonly List<DomainInfo> _domains = [];
    private NativeBlock<byte> _arena;
    private NativeBlock<DomainAliasEntry> _entries;

    /// <summary>The arena's next free byte.</summary>
    private int _at;

    /// <param name="budgetBytes">The <see cref="Footprint"/> at which the collector hands the buffer off.</param>
    public DomainAliasBuffer(long budgetBytes)
    {
        _arena = new NativeBlock<byte>((int)Math.Min(budgetBytes + AppendSlack, Array.MaxLength));
        _entries = new NativeBlock<DomainAliasEntry>((int)Math.Min(budgetBytes / EntryBytes, Array.MaxLength - 1) + 1);
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
    [SkipLocalsInit]
    public bool Add(int domainId, ReadOnlySpan<char> alias)
    {
        // An alias longer than 255 bytes is refused below, so a record never needs more than 1 + 3 * 255 bytes here.
        if (alias.Length > byte.MaxValue)
        {
            return false;
        }

        if (Count == _entries.Length)
        {
            // Past the budget (the collector hands off at it, so only a budget under one entry gets here).
            var grown = new NativeBlock<DomainAliasEntry>(_entries.Length * 2);
            _entries.Span.CopyTo(grown.Span);
            _entries.Dispose(Count);
            _entries = grown;
        }

        if (alias.Length <= DomainAliasEntry.InlineBytes)
        {
            // Nearly every alias: encoded on the stack, zero-padded, and kept in the entry alone.
            Span<byte> bytes = stackalloc byte[3 * DomainAliasEntry.InlineBytes];
            var length = System.Text.Encoding.UTF8.GetBytes(alias, bytes);
            if (length <= DomainAliasEntry.InlineBytes)
            {
                bytes[length..DomainAliasEntry.InlineBytes].Clear();
                _entries[Count++] = DomainAliasEntry.FromPadded(bytes, domainId, ~length);
                bytes.Clear();
                return true;
            }

            bytes.Clear();
        }

        if (_at + 1 + (3 * alias.Length) > _arena.Length)
        {
            // Only a budget the collector does not hand off at gets here (the arena holds the budget and a slack).
            // The old arena held aliases in clear: wiped once copied.
            var grown = new NativeBlock<byte>((int)Math.Min(2L * _arena.Length, Array.MaxLength));
            _arena.Span[.._at].CopyTo(grown.Span);
            _arena.Dispose(_at);
            _arena = grown;
        }

        var arena = _arena.Span;
        var n = System.Text.Encoding.UTF8.GetBytes(alias, arena[(_at + 1)..]);
        if (n > byte.MaxValue)
        {
            // Refused, and past the arena's used part, which is all a wipe clears.
            arena.Slice(_at + 1, n).Clear();
            return false;
        }

        // Longer than an entry holds (n > 24 here): its first 24 bytes are all its own.
        arena[_at] = (byte)n;
        _entries[Count++] = DomainAliasEntry.FromPadded(arena.Slice(_at + 1, n), domainId, _at);
        _at += 1 + n;
        return true;
    }

    public ref readonly DomainAliasEntry Entry(int i) => ref _entries[i];

    /// <summary>Sorts the entries where they lie, for a merge that reads this buffer itself (<see cref="DomainBufferCursor"/>):
    /// a collector's last buffer, whose aliases would otherwise be sealed, written and read back at once.</summary>
    public void SortInPlace() => DomainAliasSort.Sort(_entries.Span[..Count], this);

    /// <summary>Asks the CPU to fetch a long alias's bytes ahead of use: a sorted buffer is read in alias order, which
    /// is random in the arena, and the merge would otherwise wait on a cache miss for each.</summary>
    public unsafe void Prefetch(int offset)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(_arena.Address(offset));
        }
    }

    /// <summary>An entry's alias: from the entry itself, written to <paramref name="scratch"/> (at least
    /// <see cref="DomainAliasEntry.InlineBytes"/> long), or from the arena.</summary>
    public ReadOnlySpan<byte> Alias(in DomainAliasEntry entry, Span<byte> scratch)
    {
        if (entry.IsInline)
        {
            return entry.InlineAlias(scratch);
        }

        var arena = _arena.Span;
        return arena.Slice(entry.Offset + 1, arena[entry.Offset]);
    }

    /// <summary>The alias bytes past the inline prefix of an entry that is not inline.</summary>
    public ReadOnlySpan<byte> AliasTail(in DomainAliasEntry entry)
    {
        var arena = _arena.Span;
        return arena.Slice(entry.Offset + 1 + DomainAliasEntry.InlineBytes, arena[entry.Offset] - DomainAliasEntry.InlineBytes);
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

        var entries = _entries.Span[..Count];
        DomainAliasSort.Sort(entries, this);
        using var writer = runStore.Create();
        var record = new byte[8 + 1 + 255 + 1 + 255];
        Span<byte> scratch = stackalloc byte[DomainAliasEntry.InlineBytes];
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
            var alias = Alias(e, scratch);
            record[9 + domain.Length] = (byte)alias.Length;
            alias.CopyTo(record.AsSpan(10 + domain.Length));
            writer.Write(record.AsSpan(0, 10 + domain.Length + alias.Length));
        }

        var run = writer.Complete();
        record.AsSpan().Clear();
        scratch.Clear();
        Wipe();
        return run;
    }

    /// <summary>The entries and the arena held aliases in clear: wiped before the buffer is filled again or dropped.</summary>
    private void Wipe()
    {
        _entries.Span[..Count].Clear();
        _arena.Span[.._at].Clear();
    }

    public void Dispose()
    {
        _arena.Dispose(_at);
        _entries.Dispose(Count);
    }
}
