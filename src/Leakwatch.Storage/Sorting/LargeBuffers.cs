using System.Runtime.CompilerServices;

namespace Leakwatch.Storage.Sorting;

/// <summary>
/// Large record buffers (sort buffers, an ingest's login arenas), allocated uninitialized and, on Linux, advised to
/// be backed by transparent huge pages where the system leaves that to the program (<c>madvise</c> mode). Filling
/// such a buffer then takes one page fault per 2 MB instead of one per 4 KB: on a virtual machine, where each
/// fault is dear, the faults of an ingest's fresh buffers were about a tenth of its CPU time. Only the hint
/// changes: the memory, its contents and its lifetime are the garbage collector's as for any array; large arrays
/// are not moved (the large object heap is not compacted unless asked), and a moved one would merely lose the hint.
/// The CLI advises its whole heap at start (<see cref="Memory.HugePages.AdviseManagedHeap"/>); this covers the
/// buffers of any other host (the server, the tests).
/// </summary>
public static class LargeBuffers
{
    /// <summary>Below this an array gains little from the hint (and may lie in a heap region of small objects).</summary>
    private const long MinimumBytes = 8L << 20;
    private const long HugePage = 2L << 20;

    public static T[] Allocate<T>(int length)
        where T : unmanaged
    {
        var array = GC.AllocateUninitializedArray<T>(length);
        Advise(array);
        return array;
    }

    /// <summary>The same hint for an array from elsewhere (a pool's): pages it has already touched stay as they are.</summary>
    public static void Advise<T>(T[] array)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        var bytes = (long)array.Length * Unsafe.SizeOf<T>();
        if (OperatingSystem.IsLinux() && bytes >= MinimumBytes)
        {
            Advise(array, bytes);
        }
    }

    private static unsafe void Advise<T>(T[] array, long bytes)
        where T : unmanaged
    {
        fixed (T* data = array)
        {
            // Only whole huge pages inside the array: the hint must not reach memory the array does not own.
            var first = ((long)data + HugePage - 1) & ~(HugePage - 1);
            var end = ((long)data + bytes) & ~(HugePage - 1);
            if (end > first)
            {
                _ = Memory.HugePages.Advise((nint)first, (nuint)(end - first));
            }
        }
    }
}
