namespace Leakwatch.Server;

/// <summary>
/// A served generation that requests borrow while they read it: it starts with the server's own reference,
/// a reload drops that one, and the mapped files are freed by whoever releases last.
/// </summary>
internal abstract class RefCountedState
{
    private int _refs = 1;

    /// <summary>Borrows the state; false once it has been freed (the caller reads the newer one instead).</summary>
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

    protected abstract void Free();
}
