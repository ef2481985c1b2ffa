using System.Runtime.Versioning;
using System.Text;

namespace Leakwatch.Storage.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_ReplacesContentAndLeavesNoTempFile()
    {
        var path = _dir.File("state.json");
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, "new content"u8);
        Assert.Equal("new content", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_StreamCallback_CreatesMissingFile()
    {
        var path = _dir.File("fresh.json");
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes("{}")));
        Assert.Equal("{}", File.ReadAllText(path));
    }

    [Fact]
    public void Write_FailingWriter_LeavesOldFileIntactAndNoTempFile()
    {
        var path = _dir.File("manifest.json");
        File.WriteAllText(path, "published");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("half of the new one"u8);
            throw new InvalidOperationException("serializer failed");
        }));
        Assert.Equal("serializer failed", e.Message);
        Assert.Equal("published", File.ReadAllText(path));
        Assert.False(File.Exists(AtomicFileWriter.TempPathFor(path)));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Writer_DisposedWithoutCommit_KeepsOldFile()
    {
        var path = _dir.File("run.bin");
        File.WriteAllText(path, "old");
        using (var w = new AtomicFileWriter(path))
        {
            w.Stream.Write("new"u8);
            Assert.True(File.Exists(w.TempPath));
        }

        Assert.Equal("old", File.ReadAllText(path));
        Assert.False(File.Exists(AtomicFileWriter.TempPathFor(path)));
    }

    [Fact]
    public void Write_StaleTempFromAKill_IsReplaced()
    {
        var path = _dir.File("keys.json");
        File.WriteAllText(AtomicFileWriter.TempPathFor(path), "left by a kill, longer than the new content");
        AtomicFile.Write(path, "new"u8);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.False(File.Exists(AtomicFileWriter.TempPathFor(path)));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Write_WithMode_NewFileHasItEvenOverAWiderOldFileAndStaleTemp()
    {
        var path = _dir.File("secret.json");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var tmp = AtomicFileWriter.TempPathFor(path);
        File.WriteAllText(tmp, "stale");
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        UnixFileMode? modeWhileWriting = null;
        AtomicFile.Write(path, s =>
        {
            modeWhileWriting = File.GetUnixFileMode(tmp);
            s.Write("secret"u8);
        }, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, modeWhileWriting);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("secret", File.ReadAllText(path));
    }
}
