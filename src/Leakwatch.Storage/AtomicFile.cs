namespace Leakwatch.Storage;

/// <summary>Atomic replace of a whole file: written beside it under a temporary name, fsynced, renamed over it, the
/// directory fsynced. A failure part-way leaves the old file as it was and no temporary file behind.</summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given.</summary>
    /// <param name="mode">The new file's Unix mode, set before anything is written (see <see cref="AtomicFileWriter"/>).</param>
    public static void Write(string path, Action<Stream> write, UnixFileMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var writer = new AtomicFileWriter(path, mode);
        write(writer.Stream);
        writer.Commit();
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        using var writer = new AtomicFileWriter(path, mode);
        writer.Stream.Write(content);
        writer.Commit();
    }
}
