namespace Leakwatch.Index;

/// <summary>Two observers of one merge (the verification report's overlap and matching on publish), told in turn.</summary>
public sealed class MergeObserverPair(IMergeObserver first, IMergeObserver second) : IMergeObserver
{
    /// <summary>Both, one, or none of the two, without a pair when one would do.</summary>
    public static IMergeObserver? Combine(IMergeObserver? first, IMergeObserver? second) =>
        first is null ? second : second is null ? first : new MergeObserverPair(first, second);

    public void OnKey(UInt128 key, byte keyClass, ReadOnlySpan<int> existingBreaches)
    {
        first.OnKey(key, keyClass, existingBreaches);
        second.OnKey(key, keyClass, existingBreaches);
    }
}
