using System.Runtime.CompilerServices;

namespace Leakwatch.Ingest.Stealer;

/// <summary>
/// One worker's (email, website id) logins, for the domain stores (email domain → alias → websites; website →
/// emails), which need the addresses themselves and not just their keys. Appended on the hot path as chars into one
/// growing arena (no allocation per line), read back once by the merge. In memory only, never spilled: the domain
/// stores cost about 60 bytes of memory per email line of one ingest.
/// </summary>
internal sealed class StealerLogins
{
    private char[] _chars = new char[1 << 16];
    private int[] _ends = new int[1 << 12];
    private int[] _sites = new int[1 << 12];
    private int _used;

    public int Count { get; private set; }

    /// <summary>Room for about <paramref name="logins"/> logins of <paramref name="chars"/> chars in all, taken at
    /// once so the arena is not copied at every doubling; pages never filled are never touched.</summary>
    public void Reserve(int logins, int chars)
    {
        if (chars > _chars.Length)
        {
            var grown = Storage.Sorting.LargeBuffers.Allocate<char>(chars);
            _chars.AsSpan(0, _used).CopyTo(grown);
            _chars = grown;
        }

        if (logins > _ends.Length)
        {
            var ends = Storage.Sorting.LargeBuffers.Allocate<int>(logins);
            var sites = Storage.Sorting.LargeBuffers.Allocate<int>(logins);
            _ends.AsSpan(0, Count).CopyTo(ends);
            _sites.AsSpan(0, Count).CopyTo(sites);
            _ends = ends;
            _sites = sites;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<char> email, long siteId)
    {
        if (_used + email.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + email.Length));
        }

        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
            Array.Resize(ref _sites, _sites.Length * 2);
        }

        email.CopyTo(_chars.AsSpan(_used));
        _used += email.Length;
        _ends[Count] = _used;
        _sites[Count] = (int)siteId;
        Count++;
    }

    /// <summary>The i-th login's normalized email.</summary>
    public ReadOnlySpan<char> Email(int i) => _chars.AsSpan(i == 0 ? 0 : _ends[i - 1], _ends[i] - (i == 0 ? 0 : _ends[i - 1]));

    public int Site(int i) => _sites[i];

    /// <summary>The logins' website ids: the first <see cref="Count"/> entries.</summary>
    public int[] SiteIds => _sites;
}
