namespace Leakwatch.Storage;

/// <summary>
/// Writes a file under a temporary name beside it and renames it over <see cref="Path"/> on <see cref="Commit"/>,
/// so a reader (or a kill at any point) sees the old file whole or the new one whole, never a mix. Disposing
/// without committing deletes the temporary file and leaves the old one untouched.
/// </summary>
public sealed class AtomicFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private bool _committed;
    private bool _disposed;

    /// <param name="path">The file to replace (or create).</param>
    /// <param name="mode">The Unix mode of the new file, applied when the temporary file is created, so a secret
    /// written to it is never readable by others even for a moment. Null: the process's default.</param>
    /// <param name="bufferSize">The stream's write buffer.</param>
    public AtomicFileWriter(string path, UnixFileMode? mode = null, int bufferSize = 4096)
    {
        Path = path;
        TempPath = TempPathFor(path);
        var options = new FileStreamOptions
        {
            // CreateNew after a delete: a stale temp file left by a kill would keep its old mode under Create.
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = bufferSize,
        };
        if (mode is { } m && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = m;
        }

        File.Delete(TempPath);
        _stream = new FileStream(TempPath, options);
    }

    public string Path { get; }

    /// <summary>Where the new content is written until the commit: the path with <c>.tmp</c> appended, in the
    /// same directory so the rename stays on one file system.</summary>
    public string TempPath { get; }

    public Stream Stream => _stream;

    /// <summary>The temporary file an <see cref="AtomicFileWriter"/> for <paramref name="path"/> writes, for
    /// cleaners that remove what a killed writer left.</summary>
    public static string TempPathFor(string path) => path + ".tmp";

    /// <summary>Makes the new content the file's.</summary>
    /// <param name="durable">Fsync the file before the rename and the directory after it, so the replace
    /// survives a power cut. Files that are rebuilt after a crash anyway may skip it.</param>
    public void Commit(bool durable = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stream.Flush(flushToDisk: durable);
        _stream.Dispose();
        File.Move(TempPath, Path, overwrite: true);
        _committed = true;
        if (durable)
        {
            FileSync.Directory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_committed)
        {
            try
            {
                _stream.Dispose();
            }
            catch (IOException)
            {
                // Flushing what is being discarded failed (a full disk): the error that made us discard it is the one to
                // report, and the temp file must go all the same.
            }

            FileSync.TryDelete(TempPath);
        }
    }
}
