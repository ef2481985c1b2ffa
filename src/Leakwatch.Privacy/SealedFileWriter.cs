using System.Buffers.Binary;
using System.Security.Cryptography;
using Leakwatch.Core.Errors;
using Leakwatch.Storage;

namespace Leakwatch.Privacy;

/// <summary>
/// A temporary file of AES-256-GCM sealed frames, for everything a private build writes before it publishes
/// (the identifier spill, OPRF outputs, bucket partitions). Layout: magic <c>LWSEAL01</c>, the 16-byte build id
/// and a u32 file tag, then frames of <c>nonce (12) || u32 length || tag (16) || ciphertext</c>, ending with an
/// empty final frame. Each frame has a random nonce and is bound to (build id, file tag, frame number, final flag),
/// so frames cannot be reordered, moved between files, or cut off unnoticed. The file is written under a temporary
/// name and renamed into place once complete (and fsynced, when it is a checkpoint).
/// </summary>
public sealed class SealedFileWriter : IDisposable
{
    public const int KeySize = 32;
    internal const int HeaderSize = 8 + 16 + 4;
    internal const int FrameHeaderSize = 12 + 4 + 16;
    internal static ReadOnlySpan<byte> Magic => "LWSEAL01"u8;

    private readonly AesGcm _aes;
    private readonly byte[] _buildId;
    private readonly uint _fileTag;
    private readonly AtomicFileWriter _file;
    private readonly Stream _stream;
    private readonly byte[] _plain;
    private byte[] _sealed;
    private int _length;
    private long _frame;

    public SealedFileWriter(string path, ReadOnlySpan<byte> key, ReadOnlySpan<byte> buildId, uint fileTag, int frameSize = 1 << 20)
    {
        Path = path;
        _aes = new AesGcm(key, 16);
        _buildId = buildId.ToArray();
        _fileTag = fileTag;
        _plain = new byte[frameSize];
        _sealed = new byte[FrameHeaderSize + frameSize];
        _file = new AtomicFileWriter(path, bufferSize: 1 << 16);
        _stream = _file.Stream;
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        _buildId.CopyTo(header[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], fileTag);
        _stream.Write(header);
    }

    public string Path { get; }

    /// <summary>Plaintext bytes appended so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Appends one record; records never straddle frames.</summary>
    public void Append(ReadOnlySpan<byte> record)
    {
        if (record.Length > _plain.Length)
        {
            throw new ArgumentException("record larger than a frame", nameof(record));
        }

        if (_length + record.Length > _plain.Length)
        {
            SealFrame(final: false);
        }

        record.CopyTo(_plain.AsSpan(_length));
        _length += record.Length;
        BytesWritten += record.Length;
    }

    /// <summary>Seals the last frames and renames the file into place, fsynced (file and directory) when <paramref name="durable"/>.</summary>
    public void Complete(bool durable)
    {
        if (_length > 0)
        {
            SealFrame(final: false);
        }

        SealFrame(final: true);
        _file.Commit(durable);
    }

    private void SealFrame(bool final)
    {
        var plain = _plain.AsSpan(0, final ? 0 : _length);
        var frame = _sealed.AsSpan(0, FrameHeaderSize + plain.Length);
        var nonce = frame[..12];
        RandomNumberGenerator.Fill(nonce);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[12..], (uint)plain.Length);
        Span<byte> aad = stackalloc byte[SealedFileReader.AadSize];
        SealedFileReader.WriteAad(aad, _buildId, _fileTag, _frame, final);
        _aes.Encrypt(nonce, plain, frame[FrameHeaderSize..], frame.Slice(16, 16), aad);
        _stream.Write(frame);
        _frame++;
        _length = 0;
    }

    public void Dispose()
    {
        _aes.Dispose();
        _file.Dispose();
    }
}
