namespace Leakwatch.Storage.Sorting;

/// <summary>
/// How an <see cref="ExternalSorter{TRecord, TOrder}"/> orders its records and what it does with records of equal
/// key. Static members on a struct let the JIT compile one specialised sorter per order, with the comparisons
/// inlined instead of called through an interface or delegate per record.
/// </summary>
public interface IRecordOrder<TRecord>
    where TRecord : unmanaged
{
    /// <summary>True when <paramref name="left"/> sorts strictly before <paramref name="right"/>.</summary>
    static abstract bool Precedes(in TRecord left, in TRecord right);

    /// <summary>True when the two records have the same key, so that the sorter keeps only one of them.</summary>
    static abstract bool SameKey(in TRecord left, in TRecord right);

    /// <summary>Folds <paramref name="duplicate"/> (same key) into <paramref name="kept"/>; a no-op for plain de-duplication.</summary>
    static abstract void Combine(ref TRecord kept, in TRecord duplicate);

    /// <summary>Sorts a buffer in memory; the order chooses the algorithm (a radix partition for uniform keys, say).</summary>
    static abstract void Sort(Span<TRecord> records);
}
