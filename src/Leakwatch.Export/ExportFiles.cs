namespace Leakwatch.Export;

/// <summary>File writes of an export: one open and one write per file, and for a file that already has a final name,
/// a temporary name renamed over it, so a reader (nginx, a sync to object storage) never sees half a file.</summary>
internal static class ExportFiles
{
    public const string TempSuffix = ".tmp";

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>; with <paramref name="viaTemp"/>, to
    /// <c>path.tmp</c> first, then renamed over it.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, bool viaTemp)
    {
        var target = viaTemp ? path + TempSuffix : path;
        using (var handle = File.OpenHandle(target, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, content, 0);
        }

        if (viaTemp)
        {
            File.Move(target, path, overwrite: true);
        }
    }

    /// <summary>Deletes a directory tree if it exists; a missing one is not an error.</summary>
    public static void DeleteTree(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
