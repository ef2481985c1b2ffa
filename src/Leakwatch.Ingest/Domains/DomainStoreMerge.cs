using System.Runtime.CompilerServices;
using System.Text;
using Leakwatch.Index.Stealer;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// Writes the next domain-store generation: one linear merge of the published file with this ingest's delta, both in
/// entry-key order. A domain the ingest did not touch has its sealed pages copied byte for byte (no key is needed
/// for it, and nothing of it is opened); a touched domain's old pages are opened under its key (the delta knows its
/// name), unioned with the new aliases in byte order, re-paged and sealed again. Memory holds one page at a time,
/// whatever the size of the domain. The check entry (<see cref="DomainStoreSealer.CheckDomain"/>) is carried over
/// or written at its place in the order.
/// </summary>
internal sealed class DomainStoreMerge
{
    private readonly DomainStoreSealer _sealer;
    private readonly StealerSiteWriter _writer;
    private readonly int _maxPageBytes;
    private readonly UInt128 _checkKey;
    private readonly byte[] _page;
    private readonly byte[] _sealed;
    private readonly byte[] _last = new byte[256];
    private IEnumerator<(UInt128 Key, byte[] Blob)>? _old;
    private bool _haveOld;
    private bool _checkWritten;
    private int _used;
    private int _lastLength = -1;
    private int _pageNumber;

    public DomainStoreMerge(DomainStoreSealer sealer, StealerSiteWriter writer, int maxPageBytes = DomainStoreSealer.MaxPageBytes)
    {
        _sealer = sealer;
        _writer = writer;
        _maxPageBytes = maxPageBytes;
        _checkKey = DomainStoreSealer.EntryKey(sealer.Tag(DomainStoreSealer.CheckDomain), 0);
        _page = new byte[Math.Max(maxPageBytes, 256)];
        // A page is cut before the alias that would pass maxPageBytes, so it holds at most that plus one alias.
        _sealed = new byte[DomainStoreSealer.SealedLength(_page.Length + 256)];
    }

    /// <summary>Domains whose pages were opened and written again.</summary>
    public long TouchedDomains { get; private set; }

    /// <summary>Delta records dropped because another domain had the same 64-bit tag (expected never).</summary>
    public long TagCollisions { get; private set; }

    /// <remarks>Compiled fully optimised on first call: it runs once, for the whole merge, so its precompiled code
    /// (which cannot inline the collections it calls) would never be replaced.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(StealerSiteFile? old, DomainDelta delta, CancellationToken ct)
    {
        using var oldEntries = old?.ReadAll().GetEnumerator();
        _old = oldEntries;
        NextOld();
        var haveNew = delta.MoveNext();
        var domainBytes = new byte[256];
        while (_haveOld || haveNew)
        {
            ct.ThrowIfCancellationRequested();
            if (_haveOld && (!haveNew || DomainStoreSealer.TagOf(_old!.Current.Key) < delta.Tag))
            {
                // Untouched by this ingest: the sealed page is copied as it is.
                Emit(_old!.Current.Key, _old.Current.Blob);
                NextOld();
                continue;
            }

            var tag = delta.Tag;
            var domainLength = delta.Domain.Length;
            delta.Domain.CopyTo(domainBytes);
            var domain = Encoding.UTF8.GetString(domainBytes, 0, domainLength);
            TouchedDomains++;
            _pageNumber = 0;
            _used = 0;
            _lastLength = -1;
            using var oldAliases = OldAliases(tag, domain).GetEnumerator();
            var o = oldAliases.MoveNext();
            var d = haveNew;
            while (o || d)
            {
                if (d && delta.Tag != tag)
                {
                    d = false;
                    continue;
                }

                if (d && !delta.Domain.SequenceEqual(domainBytes.AsSpan(0, domainLength)))
                {
                    TagCollisions++;
                    haveNew = delta.MoveNext();
                    d = haveNew;
                    continue;
                }

                if (o && (!d || oldAliases.Current.Span.SequenceCompareTo(delta.Alias) <= 0))
                {
                    Add(tag, domain, oldAliases.Current.Span);
                    o = oldAliases.MoveNext();
                }
                else
                {
                    Add(tag, domain, delta.Alias);
                    haveNew = delta.MoveNext();
                    d = haveNew;
                }
            }

            if (_used > 0)
            {
                FlushPage(tag, domain);
            }
        }

        if (!_checkWritten)
        {
            _writer.Add(_checkKey, _sealer.Seal(_checkKey, DomainStoreSealer.CheckDomain, DomainStoreSealer.CheckText));
            _checkWritten = true;
        }
    }

    /// <summary>The aliases of the published pages of <paramref name="tag"/>, opened one page at a time.</summary>
    private IEnumerable<ReadOnlyMemory<byte>> OldAliases(ulong tag, string domain)
    {
        while (_haveOld && DomainStoreSealer.TagOf(_old!.Current.Key) == tag)
        {
            var plain = _sealer.Open(_old.Current.Key, domain, _old.Current.Blob);
            NextOld();
            var start = 0;
            for (var i = 0; i <= plain.Length; i++)
            {
                if (i == plain.Length || plain[i] == (byte)'\n')
                {
                    if (i > start)
                    {
                        yield return plain.AsMemory(start, i - start);
                    }

                    start = i + 1;
                }
            }
        }
    }

    private void NextOld()
    {
        do
        {
            _haveOld = _old?.MoveNext() ?? false;
        }
        while (_haveOld && _old!.Current.Key == _checkKey);
    }

    private void Add(ulong tag, string domain, ReadOnlySpan<byte> alias)
    {
        if (_lastLength >= 0 && alias.SequenceEqual(_last.AsSpan(0, _lastLength)))
        {
            return;
        }

        alias.CopyTo(_last);
        _lastLength = alias.Length;
        if (_used > 0 && _used + 1 + alias.Length > _maxPageBytes)
        {
            FlushPage(tag, domain);
        }

        if (_used > 0)
        {
            _page[_used++] = (byte)'\n';
        }

        alias.CopyTo(_page.AsSpan(_used));
        _used += alias.Length;
    }

    private void FlushPage(ulong tag, string domain)
    {
        if (_pageNumber > ushort.MaxValue)
        {
            throw new IngestException($"domain store: a domain holds more than {ushort.MaxValue + 1} pages of aliases");
        }

        var key = DomainStoreSealer.EntryKey(tag, _pageNumber++);
        if (key == _checkKey)
        {
            // A domain whose tag is the check entry's (expected never) is left out rather than overwrite it.
            _used = 0;
            TagCollisions++;
            return;
        }

        var sealedLength = DomainStoreSealer.SealedLength(_used);
        _sealer.Seal(key, domain, _page.AsSpan(0, _used), _sealed);
        Emit(key, _sealed.AsSpan(0, sealedLength));
        _used = 0;
    }

    private void Emit(UInt128 key, ReadOnlySpan<byte> blob)
    {
        if (!_checkWritten && _checkKey < key)
        {
            _writer.Add(_checkKey, _sealer.Seal(_checkKey, DomainStoreSealer.CheckDomain, DomainStoreSealer.CheckText));
            _checkWritten = true;
        }

        _writer.Add(key, blob);
    }
}
