using System.Buffers.Binary;
using System.Security.Cryptography;
using Leakwatch.Core.Errors;
using Leakwatch.Storage;

namespace Leakwatch.Privacy;

/// <summary>Reads a <see cref="SealedFileWriter"/> file frame by frame, authenticating each.</summary>
public sealed class SealedFileReader : IDisposable
{
    internal const int AadSize = 16 + 4 + 8 + 1;

    private readonly AesGcm _aes;
    private readonly byte[] _buildId;
    private readonly uint _fileTag;
    private readonly FileStream _stream;
    private byte[] _plain = new byte[1 << 16];
    private byte[] _sealed = new byte[1 << 16];
    private long _frame;
    private bool _done;

    public SealedFileReader(string path, ReadOnlySpan<byte> key, ReadOnlySpan<byte> buildId, uint fileTag)
    {
        Path = path;
        _aes = new AesGcm(key, 16);
        _buildId = buildId.ToArray();
        _fileTag = fileTag;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        Span<byte> header = stackalloc byte[SealedFileWriter.HeaderSize];
        if (_stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) != header.Length
            || !header[..8].SequenceEqual(SealedFileWriter.Magic) || !header.Slice(8, 16).SequenceEqual(_buildId)
            || BinaryPrimitives.ReadUInt32LittleEndian(header[24..]) != fileTag)
        {
            Dispose();
            throw new SealedFileException($"{path}: not a sealed file of this build");
        }
    }

    public string Path { get; }

    /// <summary>The next frame's plaintext (valid until the next call); false after the final frame.</summary>
    public bool TryReadFrame(out ReadOnlySpan<byte> plaintext)
    {
        plaintext = default;
        if (_done)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[SealedFileWriter.FrameHeaderSize];
        if (_stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) != head.Length)
        {
            throw new SealedFileException($"{Path}: truncated at frame {_frame}");
        }

        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(head[12..]);
        if (length > 256 << 20)
        {
            throw new SealedFileException($"{Path}: frame {_frame} has an impossible length");
        }

        if (_sealed.Length < length)
        {
            _sealed = new byte[length];
            _plain = new byte[length];
        }

        var cipher = _sealed.AsSpan(0, length);
        if (_stream.ReadAtLeast(cipher, length, throwOnEndOfStream: false) != length)
        {
            throw new SealedFileException($"{Path}: truncated at frame {_frame}");
        }

        var final = length == 0;
        Span<byte> aad = stackalloc byte[AadSize];
        WriteAad(aad, _buildId, _fileTag, _frame, final);
        try
        {
            _aes.Decrypt(head[..12], cipher, head.Slice(16, 16), _plain.AsSpan(0, length), aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SealedFileException($"{Path}: frame {_frame} fails authentication");
        }

        _frame++;
        if (final)
        {
            _done = true;
            return false;
        }

        plaintext = _plain.AsSpan(0, length);
        return true;
    }

    internal static void WriteAad(Span<byte> aad, ReadOnlySpan<byte> buildId, uint fileTag, long frame, bool final)
    {
        buildId.CopyTo(aad);
        BinaryPrimitives.WriteUInt32LittleEndian(aad[16..], fileTag);
        BinaryPrimitives.WriteInt64LittleEndian(aad[20..], frame);
        aad[28] = final ? (byte)1 : (byte)0;
    }

    public void Dispose()
    {
        _aes.Dispose();
        _stream.Dispose();
    }
}
