namespace Leakwatch.Index;

/// <summary>Told about each new key as the merge meets it, with the breaches that already held it
/// (empty when new). The verification report's exact overlap is computed here, in the same linear pass.</summary>
public interface IMergeObserver
{
    void OnKey(byte keyClass, ReadOnlySpan<int> existingBreaches);
}
