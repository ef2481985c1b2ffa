using System.Runtime.InteropServices;
using System.Text;

namespace Leakwatch.Export;

/// <summary>
/// Writes small files into one directory with the fewest system calls Linux allows: the directory is opened once and
/// each file is <c>openat(dir, name, O_CREAT|O_TRUNC)</c>, <c>write</c>, <c>close</c> (a <see cref="FileStream"/> or
/// <see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/> adds an advisory lock and
/// its release, an <c>ftruncate</c>, an <c>lseek</c> and a walk of the whole path on every file: 7 calls instead of 3).
/// Names are ASCII, built in a stack buffer: nothing is allocated per file. Elsewhere than Linux it falls back to
/// <see cref="ExportFiles.Write"/>. No fsync: an export is a copy that the next run redoes (see docs/operations.md).
/// </summary>
internal sealed partial class DirectoryWriter : IDisposable
{
    private const int OWronly = 0x1;
    private const int OCreat = 0x40;
    private const int OTrunc = 0x200;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;
    private const int CreateMode = 0x1B6; // 0666 before the umask, as .NET creates files
    private const int Eintr = 4;

    private readonly string _dir;
    private readonly int _fd = -1;

    public DirectoryWriter(string dir)
    {
        _dir = dir;
        if (OperatingSystem.IsLinux())
        {
            _fd = OpenDirectory(Encoding.UTF8.GetBytes(dir + "\0"), ODirectory | OCloexec);
            if (_fd < 0)
            {
                throw Failure(dir);
            }
        }
    }

    /// <summary>Writes <paramref name="content"/> to the file <paramref name="name"/> (ASCII, no slash) plus
    /// <paramref name="suffix"/>; with <paramref name="viaTemp"/>, to a <c>.tmp</c> name first, renamed over it, so a
    /// reader never sees half a file.</summary>
    public void Write(ReadOnlySpan<char> name, ReadOnlySpan<char> suffix, ReadOnlySpan<byte> content, bool viaTemp)
    {
        if (_fd < 0)
        {
            ExportFiles.Write(Path.Combine(_dir, string.Concat(name, suffix)), content, viaTemp);
            return;
        }

        Span<byte> final = stackalloc byte[64];
        Span<byte> temp = stackalloc byte[64];
        var n = Ascii(final, name, suffix, default);
        var target = final;
        if (viaTemp)
        {
            Ascii(temp, name, suffix, ExportFiles.TempSuffix);
            target = temp;
        }

        WriteFile(target, content, final[..n]);
        if (viaTemp && RenameAt(_fd, ref MemoryMarshal.GetReference(temp), _fd, ref MemoryMarshal.GetReference(final)) != 0)
        {
            throw Failure(Path.Combine(_dir, Encoding.ASCII.GetString(final[..n])));
        }
    }

    private void WriteFile(Span<byte> name, ReadOnlySpan<byte> content, ReadOnlySpan<byte> finalName)
    {
        var fd = OpenAt(_fd, ref MemoryMarshal.GetReference(name), OWronly | OCreat | OTrunc | OCloexec, CreateMode);
        if (fd < 0)
        {
            throw Failure(Path.Combine(_dir, Encoding.ASCII.GetString(finalName)));
        }

        try
        {
            while (!content.IsEmpty)
            {
                var w = WriteFd(fd, ref MemoryMarshal.GetReference(content), content.Length);
                if (w < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }

                    throw Failure(Path.Combine(_dir, Encoding.ASCII.GetString(finalName)));
                }

                content = content[(int)w..];
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Name, suffix and extra as NUL-terminated ASCII; returns the length without the NUL.</summary>
    private static int Ascii(Span<byte> into, ReadOnlySpan<char> name, ReadOnlySpan<char> suffix, ReadOnlySpan<char> extra)
    {
        var n = Append(into, 0, name);
        n = Append(into, n, suffix);
        n = Append(into, n, extra);
        into[n] = 0;
        return n;
    }

    private static int Append(Span<byte> into, int n, ReadOnlySpan<char> part)
    {
        for (var i = 0; i < part.Length; i++)
        {
            into[n++] = (byte)part[i];
        }

        return n;
    }

    private static IOException Failure(string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = Close(_fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int OpenDirectory(byte[] path, int flags);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAt(int dirFd, ref byte name, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteFd(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true)]
    private static partial int RenameAt(int oldDirFd, ref byte oldName, int newDirFd, ref byte newName);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
