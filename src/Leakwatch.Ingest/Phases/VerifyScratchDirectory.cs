namespace Leakwatch.Ingest.Phases;

/// <summary>
/// Where one `verify` spills: a directory of its own under the system temp dir, mode 0700, holding a lock file for
/// as long as the run lives. Its spills are sealed under keys that exist only in this process (and unlinked as soon as
/// they are opened), so what a SIGKILL leaves is unreadable by anyone, key file or not. Disposing removes the
/// directory (a normal end, an error, Ctrl-C); the next verify removes any whose lock no process holds.
/// </summary>
internal sealed class VerifyScratchDirectory : IDisposable
{
    /// <summary>The start of every verify scratch directory's name under the temp dir.</summary>
    public const string Prefix = "leakwatch-verify-";

    private const string LockName = ".lock";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly FileStream _lock;

    private VerifyScratchDirectory(string path, FileStream heldLock)
    {
        Path = path;
        _lock = heldLock;
    }

    public string Path { get; }

    /// <summary>Sweeps leftovers of killed runs, then makes this run's directory under <paramref name="tempRoot"/>
    /// (the system temp dir when null).</summary>
    public static VerifyScratchDirectory Create(string? tempRoot = null)
    {
        var root = tempRoot ?? System.IO.Path.GetTempPath();
        SweepAbandoned(root);
        var path = System.IO.Path.Combine(root, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            // mkdir with 0700: the umask can only take bits away, so no other user may list or open the spills.
            Directory.CreateDirectory(path, OwnerOnly);
        }

        var heldLock = new FileStream(System.IO.Path.Combine(path, LockName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1);
        return new VerifyScratchDirectory(path, heldLock);
    }

    /// <summary>Removes scratch directories under <paramref name="root"/> whose run is gone: their lock file can be taken,
    /// or they never got one. Another user's directories, and live runs', are left alone.</summary>
    public static int SweepAbandoned(string root)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(root, Prefix + "*"))
        {
            try
            {
                if (IsAbandoned(dir))
                {
                    Directory.Delete(dir, recursive: true);
                    removed++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A live run's lock, another user's directory, or a race with another sweeper: not ours to remove now.
            }
        }

        return removed;
    }

    private static bool IsAbandoned(string dir)
    {
        var lockPath = System.IO.Path.Combine(dir, LockName);
        if (!File.Exists(lockPath))
        {
            // Killed between mkdir and the lock file; give a run that is starting right now a minute.
            return DateTime.UtcNow - Directory.GetLastWriteTimeUtc(dir) > TimeSpan.FromMinutes(1);
        }

        using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
        return true;
    }

    public void Dispose()
    {
        _lock.Dispose();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
