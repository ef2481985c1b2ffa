namespace Leakwatch.Storage.Publishing;

/// <summary>
/// A served generation of a store that requests borrow while they read it: it starts with the holder's own
/// reference, a reload drops that one after the grace period, and whoever releases last frees it (unmaps its
/// files), so a reload never pulls a mapping from under a request.
/// </summary>
public abstract class PublishedGeneration
{
    private int _refs = 1;

    /// <summary>Borrows the generation; false once it has been freed (the caller reads the newer one instead).</summary>
    public bool TryAddRef()
    {
        var n = Volatile.Read(ref _refs);
        while (n > 0)
        {
            var seen = Interlocked.CompareExchange(ref _refs, n + 1, n);
            if (seen == n)
            {
                return true;
            }

            n = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            Free();
        }
    }

    /// <summary>Whether the last reference is gone and <see cref="Free"/> has run.</summary>
    public bool IsFreed => Volatile.Read(ref _refs) <= 0;

    protected abstract void Free();
}
