namespace Leakwatch.Index;

/// <summary>Told about each new key as the merge meets it (ascending), with the breaches that already held it
/// (empty when new). The verification report's exact overlap is computed here, in the same linear pass, and matching
/// on publish sees the new breach's keys here (<c>Leakwatch.Notify.Matching.MergeKeyTap</c>).</summary>
public interface IMergeObserver
{
    void OnKey(UInt128 key, byte keyClass, ReadOnlySpan<int> existingBreaches);
}
