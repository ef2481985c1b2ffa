using Leakwatch.Storage.Sorting;

namespace Leakwatch.Storage.Tests.Sorting;

internal readonly struct TallyOrder : IRecordOrder<Tally>
{
    public static bool Precedes(in Tally left, in Tally right) => left.Key < right.Key;

    public static bool SameKey(in Tally left, in Tally right) => left.Key == right.Key;

    public static void Combine(ref Tally kept, in Tally duplicate) => kept.Count += duplicate.Count;

    public static void Sort(Span<Tally> records) => records.Sort(static (a, b) => a.Key.CompareTo(b.Key));
}
