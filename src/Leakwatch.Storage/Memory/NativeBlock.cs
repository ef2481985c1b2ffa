using System.Runtime.InteropServices;

namespace Leakwatch.Storage.Memory;

/// <summary>
/// A large buffer of <typeparamref name="T"/> outside the managed heap: allocated uninitialised, advised for
/// transparent huge pages on Linux as the managed heap is (<see cref="HugePages"/>), and given back to the system
/// when disposed, wiped first as far as asked (whole, should its owner never dispose it). For a buffer that fills
/// while the garbage collector is busy with other large arrays: an ingest's domain-store buffers fill during the read
/// while the index's key sorters double theirs, and on the managed heap their reservations (a large-object budget
/// spent at once) made the collector run sooner and give back memory the sorters would have reused: measured on the
/// bench machine, the ingest's peak resident memory was 60-80 MiB higher than the buffers' own contents, each MiB of
/// it a fresh page to fault in. Not thread-safe; one owner disposes it.
/// </summary>
public sealed unsafe class NativeBlock<T> : IDisposable
    where T : unmanaged
{
    private const nuint HugePage = 2u << 20;
    private readonly Allocation _memory;
    private T* _data;

    public NativeBlock(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var bytes = (nuint)Math.Max(1L, (long)length * sizeof(T));
        _memory = new Allocation(bytes, bytes >= HugePage ? HugePage : 64);
        _data = (T*)_memory.DangerousGetHandle();
        Length = length;
        if (OperatingSystem.IsLinux() && bytes >= HugePage && Environment.GetEnvironmentVariable("LEAKWATCH_HUGE_PAGES") != "0")
        {
            _ = HugePages.Advise((nint)_data, bytes & ~(HugePage - 1));
        }
    }

    public int Length { get; private set; }

    public Span<T> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_data is null, this);
            return new Span<T>(_data, Length);
        }
    }

    public ref T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return ref _data[index];
        }
    }

    /// <summary>The address of element <paramref name="index"/>, for a prefetch hint (not checked: a hint never faults).</summary>
    public void* Address(int index) => _data + index;

    /// <summary>Zeroes the first <paramref name="wipe"/> elements, then gives the memory back.</summary>
    public void Dispose(int wipe)
    {
        if (_data is null)
        {
            return;
        }

        _memory.WipeBytes = (nuint)((long)Math.Clamp(wipe, 0, Length) * sizeof(T));
        _data = null;
        Length = 0;
        _memory.Dispose();
    }

    public void Dispose() => Dispose(0);

    /// <summary>The memory itself; released once, by <see cref="Dispose(int)"/> or, failing that, by its finalizer.</summary>
    private sealed class Allocation : SafeHandle
    {
        public Allocation(nuint bytes, nuint alignment)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            WipeBytes = bytes;
            SetHandle((nint)NativeMemory.AlignedAlloc(bytes, alignment));
        }

        /// <summary>How much is zeroed on release: all of it unless the owner said less.</summary>
        public nuint WipeBytes { get; set; }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMemory.Clear((void*)handle, WipeBytes);
            NativeMemory.AlignedFree((void*)handle);
            return true;
        }
    }
}
