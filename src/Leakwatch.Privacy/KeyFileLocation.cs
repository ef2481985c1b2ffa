using Leakwatch.Core.Errors;

namespace Leakwatch.Privacy;

/// <summary>Where a key file may live: never inside the data dir, whose backups and copies would then carry the one
/// secret that makes the index readable (README "Key file": keep it apart from backups of the data dir).</summary>
public static class KeyFileLocation
{
    /// <summary>Throws a usage error when <paramref name="keyFile"/> lies under <paramref name="dataDir"/>, also through a
    /// symbolic link to the data dir.</summary>
    public static void EnsureOutsideDataDir(string keyFile, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(keyFile);
        ArgumentNullException.ThrowIfNull(dataDir);
        var key = Path.GetFullPath(keyFile);
        foreach (var dir in Spellings(dataDir))
        {
            if (IsUnder(key, dir) || IsUnder(Resolved(key), dir))
            {
                throw new LeakwatchException(ErrorKind.Usage,
                    $"--key-file {keyFile}: the key file may not lie inside the data dir {dataDir} (a copy of the data dir would carry its key); keep it beside it, e.g. {KeyFile.DefaultPathFor(dataDir)}");
            }
        }
    }

    private static IEnumerable<string> Spellings(string dataDir)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir));
        yield return full;
        var resolved = Resolved(full);
        if (!string.Equals(resolved, full, StringComparison.Ordinal))
        {
            yield return resolved;
        }
    }

    /// <summary>The path with its deepest existing directory's symbolic links followed.</summary>
    private static string Resolved(string path)
    {
        var existing = path;
        var rest = "";
        while (!Directory.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null)
            {
                return path;
            }

            rest = rest.Length == 0 ? Path.GetFileName(existing) : Path.Combine(Path.GetFileName(existing), rest);
            existing = parent;
        }

        var target = new DirectoryInfo(existing).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? existing;
        return Path.TrimEndingDirectorySeparator(rest.Length == 0 ? target : Path.Combine(target, rest));
    }

    private static bool IsUnder(string path, string dir)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return path.StartsWith(dir + Path.DirectorySeparatorChar, comparison) || string.Equals(path, dir, comparison);
    }
}
