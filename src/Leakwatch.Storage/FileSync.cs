using System.Runtime.InteropServices;

namespace Leakwatch.Storage;

/// <summary>Durability helpers shared by every store: fsync of directories, so a rename or a new file survives a
/// power cut, and best-effort deletes of leftovers.</summary>
public static partial class FileSync
{
    public static void Directory(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = open(dir, 0);
        if (fd >= 0)
        {
            _ = fsync(fd);
            _ = close(fd);
        }
    }

    public static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static partial int fsync(int fd);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
