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
/// merged with the new logins and cut into pages again.
/// </summary>
internal sealed class StealerPagedStoreBuilder
{
    /// <summary>Page plaintext size: a page is cut before the line that would pass this (a single line may pass it).</summary>
    public const int PageBytes = 64 * 1024;

    private readonly StealerPageKind _kind;
    private readonly IReadOnlyList<StealerLogins> _logins;
    private readonly StealerDomainTable _sites;
    private readonly Dictionary<string, List<string>> _lines = new(StringComparer.Ordinal);
    private byte[] _page = new byte[PageBytes * 2];
    private int _pageLength;

    public StealerPagedStoreBuilder(StealerPageKind kind, IReadOnlyList<StealerLogins> logins, StealerDomainTable sites)
    {
        _kind = kind;
        _logins = logins;
        _sites = sites;
    }

    public static string Context(StealerPageKind kind) => kind == StealerPageKind.EmailDomain ? StealerSiteSealer.EmailDomainsContext : StealerSiteSealer.WebsitesContext;

    /// <param name="records">This ingest's logins, sorted: tag (high 64 bits) || worker (bits 40-47) || login index.</param>
    /// <returns>The entries written.</returns>
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

            _lines.Clear();
            while (haveOld && (ulong)(oldEntries!.Current.Key >> 64) == newTag)
            {
                AddOldPage(batch.Opener.OpenBytes(oldEntries.Current.Key, oldEntries.Current.Blob));
                haveOld = oldEntries.MoveNext();
            }

            while (next < records.Length && (ulong)(records[next] >> 64) == newTag)
            {
                var low = (ulong)records[next];
                AddLogin(_logins[(int)(low >> 40)], (int)(low & 0xFF_FFFF_FFFFUL));
                next++;
            }

            WritePages(batch, newTag);
        }

        batch.Flush();
        writer.Finish();
        return writer.Entries;
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
