namespace Leakwatch.Index;

/// <summary>A sorted, duplicate-free stream of keys with the class each came from.</summary>
public interface IKeyStream
{
    bool TryNext(out UInt128 key, out byte keyClass);
}
