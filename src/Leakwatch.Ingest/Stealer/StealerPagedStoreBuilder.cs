using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Leakwatch.Index;
using Leakwatch.Index.Stealer;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Stealer;

/// <summary>
/// Writes the next generation of one paged stealer-log store (by email domain: alias → websites; by website domain:
/// emails) in the <see cref="StealerSiteFile"/> container. A domain is found by its keyed tag
/// (<see cref="StealerTagger"/>), and its lines are cut into pages of about <see cref="PageBytes"/>: entry key =
/// tag (64 bits) || page (16 bits), each page sealed (<see cref="StealerSiteSealer"/>, its own subkey context). One
/// linear merge: a domain this ingest did not touch keeps its sealed pages as they are; a touched one is opened,
/// merged with the new logins and cut into pages again. A domain new to the store (the usual case) is written
/// without a string per login: its logins are sorted by a hash of their line key (email, or alias) with the
/// reference beside it, so the logins of one line are adjacent and its sites come as ordinal ranks; lines come
/// in hash order (readers take a page's lines in any order).
/// </summary>
internal sealed class StealerPagedStoreBuilder
{
    /// <summary>Page plaintext size: a page is cut before the line that would pass this (a single line may pass it).</summary>
    public const int PageBytes = 64 * 1024;

    private readonly StealerPageKind _kind;
    private readonly StealerLogins[] _logins;
    private readonly StealerDomainTable _sites;
    private readonly int[] _rankOfId;
    private readonly byte[][] _utf8ByRank;
    private readonly Dictionary<string, List<string>> _lines = new(StringComparer.Ordinal);
    private readonly List<int> _ranks = [];
    private readonly int[] _line = new int[1];
    // The group being written (see Gather): per login, its key hash and position, reference, key UTF-8 and site rank.
    private UInt128[] _keyed = [];
    private ulong[] _references = [];
    private int[] _keyStarts = [0];
    private int[] _siteRanks = [];
    private byte[] _keyBytes = new byte[1 << 16];
    private int _groupLength;
    private UInt128[] _byKey = new UInt128[16];
    private int[] _positions = new int[16];
    private byte[] _page = new byte[PageBytes * 2];
    private int _pageLength;

    /// <param name="rankOfId">Each site id's rank in ordinal order of the names, and <paramref name="utf8ByRank"/>
    /// the names' UTF-8 by rank (<see cref="StealerDomainTable.Ranks"/>).</param>
    public StealerPagedStoreBuilder(StealerPageKind kind, StealerLogins[] logins, StealerDomainTable sites, int[] rankOfId, byte[][] utf8ByRank)
    {
        _kind = kind;
        _logins = logins;
        _sites = sites;
        _rankOfId = rankOfId;
        _utf8ByRank = utf8ByRank;
    }

    public static string Context(StealerPageKind kind) => kind == StealerPageKind.EmailDomain ? StealerSiteSealer.EmailDomainsContext : StealerSiteSealer.WebsitesContext;

    /// <param name="records">This ingest's logins, sorted: tag (high 64 bits) || worker (bits 40-47) || login index.</param>
    /// <returns>The entries written.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Write(string path, StealerSiteFile? old, UInt128[] records, KeyFile keys, CancellationToken ct)
    {
        using var oldEntries = old?.ReadAll().GetEnumerator();
        using var writer = new StealerSiteWriter(path);
        using var batch = new StealerSealBatch(writer, new StealerSealSession(keys, Context(_kind)));
        var haveOld = oldEntries?.MoveNext() ?? false;
        var next = 0;
        var groups = 0;
        while (haveOld || next < records.Length)
        {
            if ((++groups & 0xFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var newTag = next < records.Length ? (ulong)(records[next] >> 64) : ulong.MaxValue;
            var oldTag = haveOld ? (ulong)(oldEntries!.Current.Key >> 64) : ulong.MaxValue;
            if (haveOld && (next == records.Length || oldTag < newTag))
            {
                // A domain this ingest did not touch: its sealed pages are copied as they are.
                batch.AddSealed(oldEntries!.Current.Key, oldEntries.Current.Blob);
                haveOld = oldEntries.MoveNext();
                continue;
            }

            var start = next;
            while (next < records.Length && (ulong)(records[next] >> 64) == newTag)
            {
                next++;
            }

            if (!haveOld || (ulong)(oldEntries!.Current.Key >> 64) != newTag)
            {
                WriteNew(batch, newTag, records.AsSpan(start, next - start));
                continue;
            }

            _lines.Clear();
            while (haveOld && (ulong)(oldEntries!.Current.Key >> 64) == newTag)
            {
                AddOldPage(batch.Opener.OpenBytes(oldEntries.Current.Key, oldEntries.Current.Blob));
                haveOld = oldEntries.MoveNext();
            }

            for (var r = start; r < next; r++)
            {
                var low = (ulong)records[r];
                AddLogin(_logins[(int)(low >> 40)], (int)(low & 0xFF_FFFF_FFFFUL));
            }

            WritePages(batch, newTag);
        }

        batch.Flush();
        writer.Finish();
        return writer.Entries;
    }

    /// <summary>A domain with no older pages: its logins grouped by line key through a sort on the key's hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteNew(StealerSealBatch batch, ulong tag, ReadOnlySpan<UInt128> group)
    {
        var keyed = Gather(group);
        KeyOrder.Sort(keyed);
        var page = 0;
        _pageLength = 0;
        var at = 0;
        while (at < keyed.Length)
        {
            var hash = (ulong)(keyed[at] >> 64);
            var end = at + 1;
            while (end < keyed.Length && (ulong)(keyed[end] >> 64) == hash)
            {
                end++;
            }

            if (end - at == 1)
            {
                _line[0] = (int)(ulong)keyed[at];
                WriteLine(batch, tag, ref page, _line.AsSpan(0, 1));
            }
            else
            {
                WriteSameHash(batch, tag, ref page, keyed[at..end]);
            }

            at = end;
        }

        if (_pageLength > 0)
        {
            Flush(batch, tag, page);
        }
    }

    /// <summary>
    /// One pass over the group's logins in reference order (the arena's order, so memory is read forward): each
    /// login's key hash beside its position in the group, and what its line needs — the reference, the key's UTF-8
    /// and, by email domain, the site's rank — in arrays the size of the group. The lines are then written in hash
    /// order from these small arrays, not by jumping about the whole login arena once per line.
    /// </summary>
    /// <returns>The (key hash, position in the group) records to sort.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Span<UInt128> Gather(ReadOnlySpan<UInt128> group)
    {
        var aliasOnly = _kind == StealerPageKind.EmailDomain;
        if (_keyed.Length < group.Length)
        {
            var size = Math.Max(group.Length, _keyed.Length * 2);
            _keyed = new UInt128[size];
            _references = new ulong[size];
            _keyStarts = new int[size + 1];
            _siteRanks = new int[size];
        }

        var keyed = _keyed.AsSpan(0, group.Length);
        _groupLength = group.Length;
        var bytes = 0;
        for (var i = 0; i < group.Length; i++)
        {
            var reference = (ulong)group[i];
            var logins = _logins[(int)(reference >> 40)];
            var index = (int)(reference & 0xFF_FFFF_FFFFUL);
            var email = logins.Email(index);
            var key = aliasOnly ? email[..email.IndexOf('@')] : email;
            keyed[i] = new UInt128(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key)), (ulong)i);
            _references[i] = reference;
            if (bytes + (key.Length * 3) > _keyBytes.Length)
            {
                Array.Resize(ref _keyBytes, Math.Max(_keyBytes.Length * 2, bytes + (key.Length * 3)));
            }

            _keyStarts[i] = bytes;
            bytes += Encoding.UTF8.GetBytes(key, _keyBytes.AsSpan(bytes));
            if (aliasOnly)
            {
                _siteRanks[i] = _rankOfId[logins.Site(index)];
            }
        }

        _keyStarts[group.Length] = bytes;
        return keyed;
    }

    /// <summary>Logins whose keys share a hash: the same key on several sites (or, very rarely, two keys of one
    /// hash; common in real logs, where one victim's email is saved on many sites). Ordered by key, then by
    /// reference, as <see cref="StealerLoginOrder"/> orders them, and split by key.</summary>
    private void WriteSameHash(StealerSealBatch batch, ulong tag, ref int page, Span<UInt128> keyed)
    {
        var aliasOnly = _kind == StealerPageKind.EmailDomain;
        if (_byKey.Length < keyed.Length)
        {
            _byKey = new UInt128[Math.Max(keyed.Length, _byKey.Length * 2)];
            _positions = new int[_byKey.Length];
        }

        var byKey = _byKey.AsSpan(0, keyed.Length);
        var positions = _positions;
        for (var i = 0; i < keyed.Length; i++)
        {
            byKey[i] = new UInt128((ulong)(keyed[i] >> 64), _references[(int)(ulong)keyed[i]]);
        }

        byKey.Sort(new StealerLoginOrder(_logins, aliasOnly));
        var references = _references.AsSpan(0, _groupLength);
        var at = 0;
        while (at < byKey.Length)
        {
            var key = StealerLoginOrder.Key(_logins, aliasOnly, (ulong)byKey[at]);
            var same = at;
            while (same < byKey.Length && StealerLoginOrder.Key(_logins, aliasOnly, (ulong)byKey[same]).SequenceEqual(key))
            {
                // References come ascending in the group: each one's position is found by a binary search.
                positions[same - at] = BinarySearch(references, (ulong)byKey[same]);
                same++;
            }

            WriteLine(batch, tag, ref page, positions.AsSpan(0, same - at));
            at = same;
        }
    }

    private static int BinarySearch(ReadOnlySpan<ulong> references, ulong reference)
    {
        var position = references.BinarySearch(reference);
        return position >= 0 ? position : throw new InvalidOperationException("stealer-log login not in its group");
    }

    /// <summary>One line of a new domain: the key, and by email domain its logins' sites, ordinal, distinct, the
    /// first <see cref="UlpIngest.MaxDomainsPerEmail"/>.</summary>
    /// <param name="positions">The line's logins, as positions in the group <see cref="Gather"/> read.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteLine(StealerSealBatch batch, ulong tag, ref int page, ReadOnlySpan<int> positions)
    {
        var key = _keyBytes.AsSpan(_keyStarts[positions[0]], _keyStarts[positions[0] + 1] - _keyStarts[positions[0]]);
        var lineBytes = key.Length + 1;
        _ranks.Clear();
        if (_kind == StealerPageKind.EmailDomain)
        {
            foreach (var p in positions)
            {
                _ranks.Add(_siteRanks[p]);
            }

            if (_ranks.Count > 1)
            {
                _ranks.Sort();
                var kept = 1;
                for (var i = 1; i < _ranks.Count && kept < UlpIngest.MaxDomainsPerEmail; i++)
                {
                    if (_ranks[i] != _ranks[kept - 1])
                    {
                        _ranks[kept++] = _ranks[i];
                    }
                }

                _ranks.RemoveRange(kept, _ranks.Count - kept);
            }

            foreach (var r in _ranks)
            {
                lineBytes += _utf8ByRank[r].Length + 1;
            }
        }

        if (_pageLength > 0 && _pageLength + lineBytes > PageBytes)
        {
            Flush(batch, tag, page++);
        }

        if (_pageLength + lineBytes > _page.Length)
        {
            Array.Resize(ref _page, _pageLength + lineBytes);
        }

        key.CopyTo(_page.AsSpan(_pageLength));
        _pageLength += key.Length;
        foreach (var r in _ranks)
        {
            _page[_pageLength++] = (byte)'\t';
            _utf8ByRank[r].CopyTo(_page.AsSpan(_pageLength));
            _pageLength += _utf8ByRank[r].Length;
        }

        _page[_pageLength++] = (byte)'\n';
    }

    private void AddLogin(StealerLogins logins, int i)
    {
        var email = logins.Email(i);
        var site = _sites.NameOf(logins.Site(i));
        if (_kind == StealerPageKind.Website)
        {
            Values(email);
            return;
        }

        Values(email[..email.IndexOf('@')]).Add(site);
    }

    private List<string> Values(ReadOnlySpan<char> key)
    {
        var lookup = _lines.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(key, out var values))
        {
            values = [];
            _lines[key.ToString()] = values;
        }

        return values;
    }

    private void AddOldPage(byte[] plain)
    {
        foreach (var line in Encoding.UTF8.GetString(plain).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            var values = Values(fields[0]);
            for (var f = 1; f < fields.Length; f++)
            {
                values.Add(fields[f]);
            }
        }
    }

    private void WritePages(StealerSealBatch batch, ulong tag)
    {
        var page = 0;
        _pageLength = 0;
        foreach (var (key, values) in _lines)
        {
            var lineBytes = Encoding.UTF8.GetByteCount(key) + 1;
            if (values.Count > 1)
            {
                values.Sort(StringComparer.Ordinal);
            }

            var kept = 0;
            for (var i = 0; i < values.Count && kept < UlpIngest.MaxDomainsPerEmail; i++)
            {
                if (i == 0 || !string.Equals(values[i], values[i - 1], StringComparison.Ordinal))
                {
                    lineBytes += Encoding.UTF8.GetByteCount(values[i]) + 1;
                    kept++;
                }
            }

            if (_pageLength > 0 && _pageLength + lineBytes > PageBytes)
            {
                Flush(batch, tag, page++);
            }

            if (_pageLength + lineBytes > _page.Length)
            {
                Array.Resize(ref _page, _pageLength + lineBytes);
            }

            _pageLength += Encoding.UTF8.GetBytes(key, _page.AsSpan(_pageLength));
            kept = 0;
            for (var i = 0; i < values.Count && kept < UlpIngest.MaxDomainsPerEmail; i++)
            {
                if (i == 0 || !string.Equals(values[i], values[i - 1], StringComparison.Ordinal))
                {
                    _page[_pageLength++] = (byte)'\t';
                    _pageLength += Encoding.UTF8.GetBytes(values[i], _page.AsSpan(_pageLength));
                    kept++;
                }
            }

            _page[_pageLength++] = (byte)'\n';
        }

        if (_pageLength > 0)
        {
            Flush(batch, tag, page);
        }
    }

    private void Flush(StealerSealBatch batch, ulong tag, int page)
    {
        if (page >= StealerPageKeys.MaxPages)
        {
            throw new IngestException($"stealer-log store: a domain has more than {StealerPageKeys.MaxPages} pages of logins");
        }

        batch.AddPlain(StealerPageKeys.Of(tag, page), _page.AsSpan(0, _pageLength));
        _pageLength = 0;
    }
}
