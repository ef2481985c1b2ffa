using System.Security.Cryptography;
using System.Text;
using Leakwatch.Storage;

namespace Leakwatch.Catalog;

/// <summary>
/// A token beside the catalogue (<c>catalog.revision</c>) that every committed breach-row write replaces with a new
/// random one, so a running server can tell that what it serves from <c>catalog.db</c> is stale (a <c>breach set
/// --sensitive</c>, a removal) by reading 32 bytes instead of querying SQLite. Random rather than a counter, so two
/// writers racing never write the same value twice; only inequality matters.
/// </summary>
public static class CatalogRevision
{
    public const string FileName = "catalog.revision";
    private static readonly Lock BumpLock = new();

    /// <summary>Replaces the token; call after the catalogue write commits, so a reader that sees the new token
    /// reads the new rows.</summary>
    public static void Bump(string dataDir)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        // Writers in one process take turns (they share the temp file's name). A writer in another process that
        // races this one replaces its temp file: it is bumping too, after its own commit, so one more try suffices.
        lock (BumpLock)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    AtomicFile.Write(Path.Combine(dataDir, FileName), Encoding.ASCII.GetBytes(token));
                    return;
                }
                catch (IOException) when (attempt < 3)
                {
                    Thread.Sleep(10);
                }
            }
        }
    }


    /// <summary>The current token; empty when there is none yet (a data dir no catalogue write has touched since).</summary>
    public static string Read(string dataDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dataDir, FileName));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }
}
