using System.Runtime.CompilerServices;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// Sorts a buffer's entries in run order (tag, domain bytes, alias bytes). A most-significant-digit radix sort, in
/// place (American flag: no scratch copy, since fresh pages are dear on a virtual machine): first by
/// the domain's rank in (tag, domain bytes) order, then by the alias prefix one byte at a time, each level a counting
/// pass and a permutation of the range. A range of at most <see cref="InsertionThreshold"/> entries, or one whose
/// 24 prefix bytes are all equal, is finished by comparison (<see cref="Compare"/>, which reads the arena only for
/// two aliases longer than an entry holds). A comparison sort of 1M entries compared ~20 times each, mostly on cache
/// misses; this reads each entry a few times, in passes. Its loops are compiled fully optimised on first call: a sort runs once per buffer,
/// so its precompiled (ReadyToRun) code, which cannot inline across assemblies, would never be replaced.
/// </summary>
internal static class DomainAliasSort
{
    private const int InsertionThreshold = 24;
    private const int PrefixBytes = DomainAliasEntry.InlineBytes;

    public static void Sort(Span<DomainAliasEntry> entries, DomainAliasBuffer buffer)
    {
        if (entries.Length <= 1)
        {
            return;
        }

        if (entries.Length <= InsertionThreshold)
        {
            InsertionSort(entries, buffer);
            return;
        }

        var ranks = buffer.DomainRanks(out var rankCount);
        var counts = System.Buffers.ArrayPool<int>.Shared.Rent(rankCount + 1);
        try
        {
            ByRank(entries, ranks, counts.AsSpan(0, rankCount + 1), buffer);
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(counts);
        }
    }

    /// <summary>The first level: entries grouped by their domain's rank, each group then sorted by its aliases.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ByRank(Span<DomainAliasEntry> s, int[] ranks, Span<int> starts, DomainAliasBuffer buffer)
    {
        starts.Clear();
        foreach (ref readonly var e in s)
        {
            starts[ranks[e.Domain] + 1]++;
        }

        for (var r = 1; r < starts.Length; r++)
        {
            starts[r] += starts[r - 1];
        }

        // starts[r] is where rank r's group begins; next[r] is its first slot not yet holding one of its entries.
        var rankCount = starts.Length - 1;
        var next = System.Buffers.ArrayPool<int>.Shared.Rent(rankCount);
        try
        {
            starts[..rankCount].CopyTo(next);
            for (var r = 0; r < rankCount; r++)
            {
                var end = starts[r + 1];
                while (next[r] < end)
                {
                    var e = s[next[r]];
                    var home = ranks[e.Domain];
                    while (home != r)
                    {
                        (e, s[next[home]]) = (s[next[home]], e);
                        next[home]++;
                        home = ranks[e.Domain];
                    }

                    s[next[r]++] = e;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(next);
        }

        for (var r = 0; r < rankCount; r++)
        {
            var group = s[starts[r]..starts[r + 1]];
            if (group.Length > 1)
            {
                ByPrefix(group, 0, buffer);
            }
        }
    }

    /// <summary>Byte <paramref name="digit"/> of an entry's alias prefix (zero past the alias's end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Digit(in DomainAliasEntry e, int digit) =>
        (int)((digit < 8 ? e.Prefix : digit < 16 ? e.Prefix2 : e.Prefix3) >> (56 - (8 * (digit & 7)))) & 0xFF;

    /// <summary>Sorts entries of one domain that agree on their first <paramref name="digit"/> prefix bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ByPrefix(Span<DomainAliasEntry> s, int digit, DomainAliasBuffer buffer)
    {
        Span<int> counts = stackalloc int[257];
        Span<int> next = stackalloc int[256];
        while (true)
        {
            if (s.Length <= InsertionThreshold || digit == PrefixBytes)
            {
                InsertionOrIntroSort(s, buffer);
                return;
            }

            counts.Clear();
            foreach (ref readonly var e in s)
            {
                counts[Digit(e, digit) + 1]++;
            }

            if (counts[Digit(s[0], digit) + 1] == s.Length)
            {
                // All share this byte (common: "surname.first..."): on to the next, without moving anything.
                digit++;
                continue;
            }

            for (var b = 1; b < 257; b++)
            {
                counts[b] += counts[b - 1];
            }

            counts[..256].CopyTo(next);
            for (var b = 0; b < 256; b++)
            {
                var end = counts[b + 1];
                while (next[b] < end)
                {
                    var e = s[next[b]];
                    var home = Digit(e, digit);
                    while (home != b)
                    {
                        (e, s[next[home]]) = (s[next[home]], e);
                        next[home]++;
                        home = Digit(e, digit);
                    }

                    s[next[b]++] = e;
                }
            }

            for (var b = 0; b < 256; b++)
            {
                var bucket = s[counts[b]..counts[b + 1]];
                if (bucket.Length > 1)
                {
                    ByPrefix(bucket, digit + 1, buffer);
                }
            }

            return;
        }
    }

    /// <summary>A range the radix levels leave: small, or equal in all 24 prefix bytes (then as long as needed).</summary>
    private static void InsertionOrIntroSort(Span<DomainAliasEntry> s, DomainAliasBuffer buffer)
    {
        if (s.Length <= InsertionThreshold)
        {
            InsertionSort(s, buffer);
        }
        else
        {
            IntroSort(s, 2 * (int.Log2(s.Length) + 1), buffer);
        }
    }

    /// <summary>Tag, then the domain's UTF-8 bytes (different domains under one tag: expected never), then the alias
    /// bytes (prefix first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(in DomainAliasEntry a, in DomainAliasEntry b, DomainAliasBuffer buffer)
    {
        if (a.Domain != b.Domain)
        {
            ulong ta = buffer.DomainTag(a.Domain), tb = buffer.DomainTag(b.Domain);
            if (ta != tb)
            {
                return ta < tb ? -1 : 1;
            }

            var c = buffer.DomainBytes(a.Domain).SequenceCompareTo(buffer.DomainBytes(b.Domain));
            if (c != 0)
            {
                return c;
            }
        }

        if (a.Prefix != b.Prefix)
        {
            return a.Prefix < b.Prefix ? -1 : 1;
        }

        if (a.Prefix2 != b.Prefix2)
        {
            return a.Prefix2 < b.Prefix2 ? -1 : 1;
        }

        if (a.Prefix3 != b.Prefix3)
        {
            return a.Prefix3 < b.Prefix3 ? -1 : 1;
        }

        // The same first 24 bytes, zero-padded: an inline alias (at most 24 bytes) is then a prefix of any longer
        // one and comes first, two inline ones order by length, and only two long ones read the arena.
        if (a.IsInline || b.IsInline)
        {
            return a.IsInline && b.IsInline ? b.Offset.CompareTo(a.Offset) : a.IsInline ? -1 : 1;
        }

        return buffer.AliasTail(a).SequenceCompareTo(buffer.AliasTail(b));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void IntroSort(Span<DomainAliasEntry> s, int depth, DomainAliasBuffer buffer)
    {
        while (s.Length > InsertionThreshold)
        {
            if (depth == 0)
            {
                HeapSort(s, buffer);
                return;
            }

            depth--;
            var p = Partition(s, buffer);
            IntroSort(s[(p + 1)..], depth, buffer);
            s = s[..p];
        }

        InsertionSort(s, buffer);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Partition(Span<DomainAliasEntry> s, DomainAliasBuffer buffer)
    {
        var hi = s.Length - 1;
        var middle = hi >> 1;
        SwapIfGreater(s, 0, middle, buffer);
        SwapIfGreater(s, 0, hi, buffer);
        SwapIfGreater(s, middle, hi, buffer);
        var pivot = s[middle];
        Swap(s, middle, hi - 1);
        int left = 0, right = hi - 1;
        while (left < right)
        {
            while (left < hi - 1 && Compare(s[++left], pivot, buffer) < 0)
            {
            }

            while (right > 0 && Compare(pivot, s[--right], buffer) < 0)
            {
            }

            if (left >= right)
            {
                break;
            }

            Swap(s, left, right);
        }

        if (left != hi - 1)
        {
            Swap(s, left, hi - 1);
        }

        return left;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InsertionSort(Span<DomainAliasEntry> s, DomainAliasBuffer buffer)
    {
        for (var i = 1; i < s.Length; i++)
        {
            var t = s[i];
            var j = i - 1;
            while (j >= 0 && Compare(t, s[j], buffer) < 0)
            {
                s[j + 1] = s[j];
                j--;
            }

            s[j + 1] = t;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HeapSort(Span<DomainAliasEntry> s, DomainAliasBuffer buffer)
    {
        var n = s.Length;
        for (var i = (n >> 1) - 1; i >= 0; i--)
        {
            SiftDown(s, i, n, buffer);
        }

        for (var end = n - 1; end > 0; end--)
        {
            Swap(s, 0, end);
            SiftDown(s, 0, end, buffer);
        }
    }

    private static void SiftDown(Span<DomainAliasEntry> s, int i, int n, DomainAliasBuffer buffer)
    {
        var d = s[i];
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && Compare(s[child], s[child + 1], buffer) < 0)
            {
                child++;
            }

            if (Compare(d, s[child], buffer) >= 0)
            {
                break;
            }

            s[i] = s[child];
            i = child;
        }

        s[i] = d;
    }

    private static void SwapIfGreater(Span<DomainAliasEntry> s, int i, int j, DomainAliasBuffer buffer)
    {
        if (Compare(s[i], s[j], buffer) > 0)
        {
            Swap(s, i, j);
        }
    }

    private static void Swap(Span<DomainAliasEntry> s, int i, int j) => (s[i], s[j]) = (s[j], s[i]);
}
