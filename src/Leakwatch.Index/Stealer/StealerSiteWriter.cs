using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Leakwatch.Storage;

namespace Leakwatch.Index.Stealer;

/// <summary>Writes a <see cref="StealerSiteFile"/>: blobs stream into the file while the key table goes to a side
/// file (so memory stays flat however many emails), appended at <see cref="Finish"/>, then the footer and an fsync.
/// Keys must come in strictly increasing order.</summary>
public sealed class StealerSiteWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly FileStream _table;
    private readonly string _tablePath;
    private readonly byte[] _entry = new byte[StealerSiteFile.EntryBytes];
    private UInt128 _last;
    private bool _finished;

    public StealerSiteWriter(string path)
    {
        Path = path;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _tablePath = path + ".table";
        _table = new FileStream(_tablePath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        _file.Write(StealerSiteFile.Magic);
    }

    public string Path { get; }

    public long Entries { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(UInt128 key, ReadOnlySpan<byte> blob)
    {
        key = IndexKeys.Truncate(key);
        if (Entries > 0 && key <= _last)
        {
            throw new InvalidOperationException("stealer-log keys must be strictly increasing");
        }

        if (blob.Length > StealerSiteFile.MaxBlobBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(blob), "stealer-log entry too large");
        }

        IndexKeys.WriteBigEndian(key, _entry);
        BinaryPrimitives.WriteInt64BigEndian(_entry.AsSpan(IndexKeys.KeyBytes), _file.Position);
        _table.Write(_entry);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, blob.Length);
        _file.Write(length);
        _file.Write(blob);
        _last = key;
        Entries++;
    }

    public void Finish()
    {
        var tableOffset = _file.Position;
        _table.Flush();
        _table.Position = 0;
        _table.CopyTo(_file);
        Span<byte> footer = stackalloc byte[StealerSiteFile.FooterBytes];
        BinaryPrimitives.WriteInt64BigEndian(footer, Entries);
        BinaryPrimitives.WriteInt64BigEndian(footer[8..], tableOffset);
        StealerSiteFile.EndMagic.CopyTo(footer[16..]);
        _file.Write(footer);
        _file.Flush(flushToDisk: true);
        _finished = true;
    }

    public void Dispose()
    {
        _table.Dispose();
        _file.Dispose();
        if (!_finished)
        {
            FileSync.TryDelete(Path);
        }
    }
}
