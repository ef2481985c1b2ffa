using System.Buffers.Binary;
using System.IO.Hashing;

namespace Leakwatch.Storage.Tests;

public sealed class ReadOnlyMappedFileTests : IDisposable
{
    private const int HeaderSize = 64;
    private const int OffVersion = 8;
    private const int OffChecksum = 40;

    private static readonly MappedFileFormat Format = new(
        "a test file", "test file", "test", "LWTEST01"u8.ToArray(), 3, OffVersion, OffChecksum, OffChecksum, HeaderSize);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Header(string magic = "LWTEST01", uint version = 3)
    {
        var h = new byte[HeaderSize + 16];
        System.Text.Encoding.ASCII.GetBytes(magic).CopyTo(h, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(OffVersion), version);
        BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(12), 0x1122334455667788);
        BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(OffChecksum), XxHash64.HashToUInt64(h.AsSpan(0, OffChecksum)));
        return h;
    }

    private string Write(byte[] bytes)
    {
        var path = _dir.File(Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Refused(string path)
        => Assert.Throws<InvalidDataException>(() => ReadOnlyMappedFile.OpenValidated(path, Format, m => new InvalidDataException(m))).Message;

    [Fact]
    public unsafe void OpenValidated_GoodHeader_MapsWholeFile()
    {
        var bytes = Header();
        using var file = ReadOnlyMappedFile.OpenValidated(Write(bytes), Format, m => new InvalidDataException(m));
        Assert.Equal(bytes.Length, file.Length);
        Assert.Equal(0x1122334455667788UL, BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(file.Base + 12, 8)));
    }

    [Fact]
    public void OpenValidated_BadMagic_Refused()
    {
        var path = Write(Header(magic: "LWOTHER1"));
        Assert.Equal($"{path}: not a Leakwatch test file (bad magic)", Refused(path));
    }

    [Fact]
    public void OpenValidated_FlippedHeaderByte_ChecksumMismatch()
    {
        var bytes = Header();
        bytes[13] ^= 0x40;
        var path = Write(bytes);
        Assert.Equal($"{path}: header checksum mismatch", Refused(path));
    }

    [Fact]
    public void OpenValidated_OtherVersion_Refused()
    {
        var path = Write(Header(version: 4));
        Assert.Equal($"{path}: unsupported test version 4", Refused(path));
    }

    [Fact]
    public void OpenValidated_TooShortOrEmpty_Refused()
    {
        var path = Write(Header()[..(HeaderSize - 1)]);
        Assert.Equal($"{path}: too short to be a test file ({HeaderSize - 1} bytes)", Refused(path));
        var empty = Write([]);
        Assert.Equal($"{empty}: too short to be a test file (0 bytes)", Refused(empty));
    }
}
