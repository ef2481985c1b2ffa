namespace Leakwatch.Fuzz;

/// <summary>The readers under test take paths, so each input is written to one file of a private directory,
/// overwritten in place per run (no file churn, so millions of runs leave nothing behind).</summary>
internal static class ScratchFile
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var dir = Path.Combine(root, $"leakwatch-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    });

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> (mode 0600) and returns its path.</summary>
    public static string Write(string name, ReadOnlySpan<byte> bytes)
    {
        var path = Path.Combine(Dir.Value, name);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(bytes);
        return path;
    }

    /// <summary>A directory of its own under the scratch directory, created empty on first use.</summary>
    public static string Subdirectory(string name)
    {
        var path = Path.Combine(Dir.Value, name);
        Directory.CreateDirectory(path);
        return path;
    }
}
