using System.Buffers;
using System.Buffers.Binary;
using Leakwatch.Storage.Sorting;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// One of a collector's two buffers: a byte arena of aliases (<c>[length u8][UTF-8]</c>), fixed-size entries
/// pointing into it (<see cref="DomainAliasEntry"/>), and the domains its entries name. The reading thread fills
/// one while a background task sorts and spills the other (<see cref="WriteRun"/>), so no reader waits on a sort.
/// </summary>
internal sealed class DomainAliasBuffer : IDisposable
{
    private readonly List<DomainInfo> _domains = [];
    private byte[] _bytes;
    private DomainAliasEntry[] _entries;

    public DomainAliasBuffer(int initialBytes)
    {
        _bytes = ArrayPool<byte>.Shared.Rent(initialBytes);
        _entries = ArrayPool<DomainAliasEntry>.Shared.Rent(4096);
    }

    /// <summary>Which filling of this buffer it is (a <see cref="DomainInfo.BufferId"/> holds for one filling).</summary>
    public long Generation { get; private set; }

    public int Count { get; private set; }

    /// <summary>Bytes the buffer holds: the arena and the entries.</summary>
    public long Footprint => Used + ((long)Count * 24);

    private int Used { get; set; }

    /// <summary>Empties the buffer for its next filling.</summary>
    public void Reset(long generation)
    {
        Generation = generation;
        Count = 0;
        Used = 0;
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
    public bool Add(ulong tag, int domainId, ReadOnlySpan<char> alias)
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(alias.Length);
        if (Used + 1 + max > _bytes.Length)
        {
            _bytes = Grow(_bytes, Used, Used + 1 + max);
        }

        var n = System.Text.Encoding.UTF8.GetBytes(alias, _bytes.AsSpan(Used + 1));
        if (n > byte.MaxValue)
        {
            return false;
        }

        _bytes[Used] = (byte)n;
        if (Count == _entries.Length)
        {
            var bigger = ArrayPool<DomainAliasEntry>.Shared.Rent(_entries.Length * 2);
            _entries.AsSpan(0, Count).CopyTo(bigger);
            ArrayPool<DomainAliasEntry>.Shared.Return(_entries);
            _entries = bigger;
        }

        Span<byte> prefix = stackalloc byte[8];
        prefix.Clear();
        _bytes.AsSpan(Used + 1, Math.Min(n, 8)).CopyTo(prefix);
        _entries[Count++] = new DomainAliasEntry(tag, BinaryPrimitives.ReadUInt64BigEndian(prefix), domainId, Used);
        Used += 1 + n;
        return true;
    }

    public ReadOnlySpan<byte> Alias(int offset) => _bytes.AsSpan(offset + 1, _bytes[offset]);

    public ReadOnlySpan<byte> DomainBytes(int domainId) => _domains[domainId].Utf8;

    /// <summary>Sorts the entries and writes them, deduplicated, as one sealed run; null when the buffer is empty.
    /// Run records: <c>[tag u64 BE][domain length u8][domain][alias length u8][alias]</c>.</summary>
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

            BinaryPrimitives.WriteUInt64BigEndian(record, e.Tag);
            var domain = _domains[e.Domain].Utf8;
            record[8] = (byte)domain.Length;
            domain.CopyTo(record, 9);
            var alias = Alias(e.Offset);
            record[9 + domain.Length] = (byte)alias.Length;
            alias.CopyTo(record.AsSpan(10 + domain.Length));
            writer.Write(record.AsSpan(0, 10 + domain.Length + alias.Length));
        }

        var run = writer.Complete();
        // The arena held aliases in clear: wiped before the buffer is filled again or returned.
        _bytes.AsSpan(0, Used).Clear();
        return run;
    }

    private static byte[] Grow(byte[] old, int used, int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, old.Length * 2));
        old.AsSpan(0, used).CopyTo(bigger);
        // Cleared: pooled arrays outlive this buffer, and these hold aliases.
        ArrayPool<byte>.Shared.Return(old, clearArray: true);
        return bigger;
    }

    public void Dispose()
    {
        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes, clearArray: true);
            ArrayPool<DomainAliasEntry>.Shared.Return(_entries);
            _bytes = [];
            _entries = [];
        }
    }
}
