using System.Runtime.CompilerServices;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// Sorts a buffer's entries in run order (tag, domain bytes, alias bytes): an introsort written out for this one
/// record type, so the comparison is inlined. Its loops are compiled fully optimised on first call: a sort runs
/// once per buffer, so its precompiled (ReadyToRun) code, which cannot inline across assemblies, would never be
/// replaced. A generic
/// <c>Span.Sort</c> with a delegate paid a call per comparison and ran partly unoptimized while it was compiled.
/// Most comparisons end on the tag and the 16-byte alias prefix; equal prefixes read the alias bytes.
/// </summary>
internal static class DomainAliasSort
{
    private const int InsertionThreshold = 16;

    public static void Sort(Span<DomainAliasEntry> entries, DomainAliasBuffer buffer)
    {
        if (entries.Length > 1)
        {
            IntroSort(entries, 2 * (int.Log2(entries.Length) + 1), buffer);
        }
    }

    /// <summary>Tag, then the domain's UTF-8 bytes (different domains under one tag: expected never), then the alias
    /// bytes (prefix first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(in DomainAliasEntry a, in DomainAliasEntry b, DomainAliasBuffer buffer)
    {
        if (a.Tag != b.Tag)
        {
            return a.Tag < b.Tag ? -1 : 1;
        }

        if (a.Domain != b.Domain)
        {
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

        return buffer.Alias(a.Offset).SequenceCompareTo(buffer.Alias(b.Offset));
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
