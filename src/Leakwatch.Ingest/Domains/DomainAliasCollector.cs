using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Leakwatch.Privacy;
using Leakwatch.Storage.Sorting;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// One normalization thread's share of the domain store's delta: (domain tag, domain, alias) for every valid email
/// it keys. A known domain costs a dictionary probe on the span (no allocation), the alias is appended as UTF-8 to
/// a pooled buffer, and past <c>budgetBytes</c> the buffer is sorted, deduplicated and spilled as a sealed run
/// (<see cref="EncryptedTempRuns{TRecord}"/>: a key that dies with the process, the file unlinked at once), so
/// memory stays flat however large the dump and no alias reaches the disk in clear. Run records:
/// <c>[tag u64 BE][domain length u8][domain][alias length u8][alias]</c>, sorted by tag, domain, alias (bytes).
/// </summary>
internal sealed class DomainAliasCollector : IDisposable
{
    /// <summary>Distinct domains kept between spills; past it the cache starts again (it only saves HMACs).</summary>
    private const int MaxCachedDomains = 1 << 20;

    private readonly DomainStoreSealer _sealer;
    private readonly EncryptedTempRuns<byte> _runStore;
    private readonly int _budgetBytes;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _domains = [];
    private readonly List<ulong> _tags = [];
    private byte[] _bytes;
    private int _used;
    private Entry[] _entries;
    private int _count;

    public DomainAliasCollector(DomainStoreSealer sealer, string tempDir, int budgetBytes)
    {
        _sealer = sealer;
        _runStore = new EncryptedTempRuns<byte>(tempDir, "domains");
        _budgetBytes = Math.Max(1 << 12, budgetBytes);
        _bytes = ArrayPool<byte>.Shared.Rent(Math.Min(1 << 16, _budgetBytes));
        _entries = ArrayPool<Entry>.Shared.Rent(4096);
    }

    /// <summary>The sealed sorted runs spilled so far (each read once by the merge).</summary>
    public List<ISpilledRun<byte>> Runs { get; } = [];

    /// <summary>(domain, alias) pairs added, before deduplication.</summary>
    public long Added { get; private set; }

    /// <summary>A normalized email (as <see cref="Core.EmailNormalizer"/> writes it).</summary>
    public void Add(ReadOnlySpan<char> email)
    {
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            return;
        }

        var local = email[..at];
        var domain = email[(at + 1)..];
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(domain, out var id))
        {
            if (Encoding.UTF8.GetByteCount(domain) > byte.MaxValue)
            {
                return;
            }

            var name = domain.ToString();
            id = _domains.Count;
            _ids.Add(name, id);
            _domains.Add(name);
            _tags.Add(_sealer.Tag(name));
        }

        var max = Encoding.UTF8.GetMaxByteCount(local.Length);
        if (_used + 1 + max > _bytes.Length)
        {
            _bytes = Grow(_bytes, _used, _used + 1 + max);
        }

        var n = Encoding.UTF8.GetBytes(local, _bytes.AsSpan(_used + 1));
        if (n > byte.MaxValue)
        {
            return;
        }

        _bytes[_used] = (byte)n;
        if (_count == _entries.Length)
        {
            var bigger = ArrayPool<Entry>.Shared.Rent(_entries.Length * 2);
            _entries.AsSpan(0, _count).CopyTo(bigger);
            ArrayPool<Entry>.Shared.Return(_entries);
            _entries = bigger;
        }

        _entries[_count++] = new Entry(_tags[id], Prefix(_bytes.AsSpan(_used + 1, n)), id, _used);
        _used += 1 + n;
        Added++;
        if (_used + ((long)_count * 24) >= _budgetBytes)
        {
            Spill();
        }
    }

    /// <summary>Sorts what is buffered and spills it as one sealed run (also the last step after reading).</summary>
    public void Spill()
    {
        if (_count == 0)
        {
            return;
        }

        var entries = _entries.AsSpan(0, _count);
        entries.Sort(new EntryOrder(this));
        using (var writer = _runStore.Create())
        {
            Span<byte> record = stackalloc byte[8 + 1 + 255 + 1 + 255];
            for (var i = 0; i < entries.Length; i++)
            {
                var e = entries[i];
                if (i > 0 && Compare(entries[i - 1], e) == 0)
                {
                    continue;
                }

                BinaryPrimitives.WriteUInt64BigEndian(record, e.Tag);
                var d = Encoding.UTF8.GetBytes(_domains[e.Domain], record[9..]);
                record[8] = (byte)d;
                var alias = Alias(e);
                record[9 + d] = (byte)alias.Length;
                alias.CopyTo(record[(10 + d)..]);
                writer.Write(record[..(10 + d + alias.Length)]);
            }

            Runs.Add(writer.Complete());
        }

        _count = 0;
        _used = 0;
        if (_domains.Count > MaxCachedDomains)
        {
            _ids.Clear();
            _domains.Clear();
            _tags.Clear();
        }
    }

    private ReadOnlySpan<byte> Alias(Entry e) => _bytes.AsSpan(e.Offset + 1, _bytes[e.Offset]);

    private int Compare(Entry a, Entry b)
    {
        var c = a.Tag.CompareTo(b.Tag);
        if (c != 0)
        {
            return c;
        }

        if (a.Domain != b.Domain)
        {
            c = string.CompareOrdinal(_domains[a.Domain], _domains[b.Domain]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Prefix != b.Prefix ? a.Prefix.CompareTo(b.Prefix) : Alias(a).SequenceCompareTo(Alias(b));
    }

    /// <summary>An alias's first 8 bytes, big-endian, zero-padded: ordered as the bytes are, so most comparisons end
    /// on it.</summary>
    private static ulong Prefix(ReadOnlySpan<byte> alias)
    {
        Span<byte> first = stackalloc byte[8];
        first.Clear();
        alias[..Math.Min(8, alias.Length)].CopyTo(first);
        return BinaryPrimitives.ReadUInt64BigEndian(first);
    }

    private static byte[] Grow(byte[] old, int used, int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, old.Length * 2));
        old.AsSpan(0, used).CopyTo(bigger);
        // Cleared: pooled arrays outlive this collector, and these hold aliases.
        ArrayPool<byte>.Shared.Return(old, clearArray: true);
        return bigger;
    }

    public void Dispose()
    {
        foreach (var run in Runs)
        {
            run.Dispose();
        }

        Runs.Clear();
        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes, clearArray: true);
            ArrayPool<Entry>.Shared.Return(_entries);
            _bytes = [];
            _entries = [];
        }
    }

    private readonly record struct Entry(ulong Tag, ulong Prefix, int Domain, int Offset);

    /// <summary>A struct comparer, so the sort calls <see cref="Compare"/> without a delegate.</summary>
    private readonly struct EntryOrder(DomainAliasCollector owner) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y) => owner.Compare(x, y);
    }
}
