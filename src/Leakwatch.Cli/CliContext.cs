using System.CommandLine;
using Leakwatch.Catalog.State;
using Leakwatch.Privacy;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Cli;

/// <summary>Options every command shares, and where the data dir and key file are.</summary>
internal static class CliContext
{
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Data directory (default: $LEAKWATCH_DATA, else ./data)",
        Recursive = true,
    };

    public static readonly Option<string?> KeyFilePath = new("--key-file")
    {
        Description = "Key file (default: $LEAKWATCH_KEY_FILE, else <data-dir>.key beside the data dir)",
        Recursive = true,
    };

    public static readonly Option<string?> State = new(StateLocation.OptionName)
    {
        Description = "State store: postgresql://user[:password]@host:port/database (default: $LEAKWATCH_STATE, else catalog.db in the data dir)",
        Recursive = true,
    };

    public static readonly Option<string?> RetainGenerations = new(GenerationRetention.OptionName)
    {
        Description = "Keep a replaced index generation this long before deleting it, for replicas still reading it on a shared data dir: 90s, 10m, 1h; 0 deletes at once (default: $LEAKWATCH_RETAIN_GENERATIONS, else 10m)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Machine-readable JSON output" };

    public static string ResolveDataDir(ParseResult r) =>
        Path.GetFullPath(r.GetValue(DataDir) ?? Environment.GetEnvironmentVariable("LEAKWATCH_DATA") ?? "data");

    /// <summary>Where breach rows and API keys live; a usage error naming --state when the URL is unusable.</summary>
    public static StateLocation ResolveState(ParseResult r) =>
        StateLocation.Parse(r.GetValue(State) ?? Environment.GetEnvironmentVariable("LEAKWATCH_STATE"));

    /// <summary>Sets the process's <see cref="GenerationRetention.Default"/> from <see cref="RetainGenerations"/> or the
    /// environment; a usage error naming where the bad value came from.</summary>
    public static void ApplyRetention(ParseResult r)
    {
        var option = r.GetValue(RetainGenerations);
        var text = option ?? Environment.GetEnvironmentVariable(GenerationRetention.EnvironmentVariable);
        if (text is null)
        {
            return;
        }

        var period = GenerationRetention.ParsePeriod(text)
            ?? throw new UsageException($"{(option is null ? GenerationRetention.EnvironmentVariable : GenerationRetention.OptionName)}: '{text}' is not a duration (e.g. 90s, 10m, 1h, or 0 to delete at once)");
        GenerationRetention.Default = new GenerationRetention(period);
    }

    /// <summary>The key file's path; a usage error when it lies inside the data dir.</summary>
    public static string ResolveKeyFile(ParseResult r)
    {
        var dataDir = ResolveDataDir(r);
        var path = r.GetValue(KeyFilePath) ?? Environment.GetEnvironmentVariable("LEAKWATCH_KEY_FILE") ?? KeyFile.DefaultPathFor(dataDir);
        KeyFileLocation.EnsureOutsideDataDir(path, dataDir);
        return path;
    }

    /// <summary>Loads the key file; creates one only when <paramref name="create"/> and the data dir is new.</summary>
    public static KeyFile LoadKeys(ParseResult r, bool create)
    {
        var path = ResolveKeyFile(r);
        if (!File.Exists(path) && create)
        {
            var manifest = Path.Combine(ResolveDataDir(r), "manifest.json");
            if (File.Exists(manifest))
            {
                throw new KeyFileException($"{path}: key file not found, but the data dir already holds an index; pass --key-file");
            }

            return KeyFile.Create(path);
        }

        return KeyFile.Load(path);
    }
}
