using System.Numerics;

namespace Leakwatch.Storage.Sorting;

/// <summary>Ascending order of plain numbers, each kept once.</summary>
public readonly struct DistinctAscending<T> : IRecordOrder<T>
    where T : unmanaged, IComparisonOperators<T, T, bool>
{
    public static bool Precedes(in T left, in T right) => left < right;

    public static bool SameKey(in T left, in T right) => left == right;

    public static void Combine(ref T kept, in T duplicate)
    {
    }

    public static void Sort(Span<T> records) => records.Sort();
}
