using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Leakwatch.Storage;

/// <summary>
/// A whole file mapped read-only, its base pointer held for the life of the mapping. The exposure index, the
/// private index and the password range files all read through one, opened by <see cref="OpenValidated"/>,
/// which checks the header shape they share (<see cref="MappedFileFormat"/>) before the reader trusts any field.
/// </summary>
public sealed unsafe partial class ReadOnlyMappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _handle;
    private int _disposed;

    private ReadOnlyMappedFile(string path, long length)
    {
        Length = length;
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        }
        catch
        {
            _map.Dispose();
            throw;
        }

        _handle = _view.SafeMemoryMappedViewHandle;
        byte* p = null;
        _handle.AcquirePointer(ref p);
        Base = p + _view.PointerOffset;
    }

    public byte* Base { get; }

    /// <summary>The file's length when it was opened.</summary>
    public long Length { get; }

    /// <summary>Maps <paramref name="path"/> after checking its length, magic, header checksum and version
    /// against <paramref name="format"/>; the reader then checks only its own fields.</summary>
    /// <param name="corrupt">Makes the store's own exception from a one-line message naming the file.</param>
    /// <exception cref="IOException">The file cannot be opened or mapped.</exception>
    public static ReadOnlyMappedFile OpenValidated(string path, MappedFileFormat format, Func<string, Exception> corrupt)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(corrupt);
        var length = new FileInfo(path).Length;
        if (length < format.MinLength)
        {
            // Also keeps empty files away from the mapping, which cannot map zero bytes.
            throw corrupt($"{path}: too short to be {format.Noun} ({length} bytes)");
        }

        var file = new ReadOnlyMappedFile(path, length);
        try
        {
            var problem = file.HeaderProblem(format);
            if (problem is not null)
            {
                throw corrupt($"{path}: {problem}");
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private string? HeaderProblem(MappedFileFormat format)
    {
        var header = new ReadOnlySpan<byte>(Base, format.ChecksumOffset + 8);
        if (!header[..format.Magic.Length].SequenceEqual(format.Magic))
        {
            return $"not a Leakwatch {format.Name} (bad magic)";
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header[format.ChecksumOffset..]) != XxHash64.HashToUInt64(header[..format.ChecksummedBytes]))
        {
            return "header checksum mismatch";
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[format.VersionOffset..]);
        return version == format.Version ? null : $"unsupported {format.VersionName} version {version}";
    }

    /// <summary>
    /// Takes the whole pages of [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>) out of
    /// this process's resident set (madvise MADV_DONTNEED; Linux only, elsewhere nothing). The file's pages stay in the
    /// page cache and a later read faults them back in, so readers see no change: a sequential pass over a 19 GB index
    /// (a merge) then counts a few MB of resident mapping instead of the whole file.
    /// </summary>
    public void DropResident(long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return;
        }

        const long Page = 4096;
        var start = (long)Base + offset;
        var first = (start + Page - 1) & ~(Page - 1);
        var end = (start + length) & ~(Page - 1);
        if (end > first)
        {
            _ = madvise((nint)first, (nuint)(end - first), MadviseDontNeed);
        }
    }

    private const int MadviseDontNeed = 4;

    [LibraryImport("libc")]
    private static partial int madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _handle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
