using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace Leakwatch.Index;

/// <summary>
/// A whole file mapped read-only, its base pointer held for the life of the mapping. The exposure index, the
/// private index and the password range files all read through one, and all start with the same header
/// shape: an 8-byte magic, then fields, with an XxHash64 of the header's first bytes stored in it.
/// </summary>
public sealed unsafe class ReadOnlyMappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _handle;
    private int _disposed;

    private ReadOnlyMappedFile(string path)
    {
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

    /// <summary>Maps <paramref name="path"/>, which the caller has checked is at least a header long (an empty
    /// file cannot be mapped).</summary>
    /// <exception cref="IOException">The file cannot be opened or mapped.</exception>
    public static ReadOnlyMappedFile Open(string path) => new(path);

    /// <summary>Whether the file starts with <paramref name="magic"/> and the checksum stored at
    /// <paramref name="checksumOffset"/> is the XxHash64 of the first <paramref name="checksummedBytes"/>.</summary>
    public HeaderCheck CheckHeader(ReadOnlySpan<byte> magic, int checksumOffset, int checksummedBytes)
    {
        var header = new ReadOnlySpan<byte>(Base, checksumOffset + 8);
        if (!header[..magic.Length].SequenceEqual(magic))
        {
            return HeaderCheck.BadMagic;
        }

        return BinaryPrimitives.ReadUInt64LittleEndian(header[checksumOffset..]) == XxHash64.HashToUInt64(header[..checksummedBytes])
            ? HeaderCheck.Ok
            : HeaderCheck.ChecksumMismatch;
    }

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

/// <summary>What <see cref="ReadOnlyMappedFile.CheckHeader"/> found.</summary>
public enum HeaderCheck
{
    Ok,
    BadMagic,
    ChecksumMismatch,
}
