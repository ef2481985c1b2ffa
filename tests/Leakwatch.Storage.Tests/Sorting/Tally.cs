namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>A key with a count, like a password hash: equal keys are summed (the combine semantics under test).</summary>
internal struct Tally
{
    public ulong Key;
    public ulong Count;

    public Tally(ulong key, ulong count)
    {
        Key = key;
        Count = count;
    }
}
