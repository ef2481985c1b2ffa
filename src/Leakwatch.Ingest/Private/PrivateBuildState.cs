using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Reading;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Private;

/// <summary>What a private build is doing, kept in <c>private/build/state.json</c> so a killed build can resume.
/// Progress itself is the files: a spill chunk without an output is still to evaluate.</summary>
public sealed class PrivateBuildState
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    /// <summary>16 random bytes in hex; with the key file's secret it derives the key of this build's sealed files.</summary>
    public string BuildId { get; set; } = "";

    /// <summary><c>ingest</c> (ingest --private), <c>build</c> (private build) or <c>rotate</c> (keys rotate-oprf).</summary>
    public string Kind { get; set; } = "";

    /// <summary>The OPRF key this build evaluates with.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>True: a new index from these sources alone; false: merged into the published private index.</summary>
    public bool Fresh { get; set; }

    /// <summary>Base64 salt of the entries: the published index's for a merge, fresh for a new index. Fixed when the
    /// build starts, because the OPRF phase already writes the entries.</summary>
    public string Salt { get; set; } = "";

    public List<PrivateBuildSource> Sources { get; set; } = [];

    public DateTimeOffset Started { get; set; }

    [JsonIgnore]
    public byte[] BuildIdBytes => Convert.FromHexString(BuildId);

    [JsonIgnore]
    public byte[] SaltBytes => Convert.FromBase64String(Salt);
}

public sealed class PrivateBuildSource
{
    /// <summary>Catalogue id; 0 until an ingest has assigned it.</summary>
    public int BreachId { get; set; }

    public string Breach { get; set; } = "";

    public PrivateSource Source { get; set; } = new();

    /// <summary>Every identifier of the source is in sealed spill chunks (and fsynced).</summary>
    public bool Spilled { get; set; }

    /// <summary>Identifier occurrences spilled (duplicates included).</summary>
    public long SpilledIdentifiers { get; set; }

    /// <summary>Distinct identifiers of the breach (from its ingest statistics), for choosing bucketBits.</summary>
    public long Distinct { get; set; }
}

[JsonSerializable(typeof(PrivateBuildState))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class PrivateBuildJson : JsonSerializerContext;

/// <summary>One line of JSON for command output.</summary>
[JsonSerializable(typeof(PrivateBuildResult))]
[JsonSerializable(typeof(PrivateManifest))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
public sealed partial class PrivateOutputJson : JsonSerializerContext;

/// <summary>Where a private build keeps things, and how its state is read and written (atomically).</summary>
internal sealed class PrivateBuildPaths(PrivateIndexStore store)
{
    public string Root => store.BuildDir;

    public string StatePath => Path.Combine(Root, "state.json");

    public string SpillDir => Path.Combine(Root, "spill");

    public string OutputDir => Path.Combine(Root, "out");

    public string PartitionDir => Path.Combine(Root, "part");

    public static string ChunkName(int source, int sequence) => $"s{source:D3}-{sequence:D7}";

    public string SpillPath(string chunk) => Path.Combine(SpillDir, chunk + ".lws");

    public string OutputPath(string chunk) => Path.Combine(OutputDir, chunk + ".lwo");

    /// <summary>Binds a sealed file's frames to its name: a file moved or renamed no longer authenticates.</summary>
    public static uint Tag(string fileName) => XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(Path.GetFileName(fileName)));

    public PrivateBuildState? Read()
    {
        if (!File.Exists(StatePath))
        {
            return null;
        }

        try
        {
            var s = JsonSerializer.Deserialize(File.ReadAllText(StatePath), PrivateBuildJson.Default.PrivateBuildState);
            if (s is null || s.Format != PrivateBuildState.CurrentFormat || s.BuildId.Length != 32)
            {
                throw new PrivateBuildException($"{StatePath}: unsupported private build state");
            }

            return s;
        }
        catch (JsonException e)
        {
            throw new PrivateBuildException($"{StatePath}: not valid JSON ({e.Message}); delete {Root} to discard the build");
        }
    }

    public void Write(PrivateBuildState state)
    {
        Directory.CreateDirectory(Root);
        AtomicFile.Write(StatePath, fs => JsonSerializer.Serialize(fs, state, PrivateBuildJson.Default.PrivateBuildState));
    }

    /// <summary>Removes the build directory: state, spill, outputs, partitions.</summary>
    public void Delete()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
            FileSync.Directory(store.Dir);
        }
    }
}

/// <summary>A private build cannot start or go on; the message says why and what to do. The kind is
/// <see cref="ErrorKind.DataDir"/> when the data dir's state does not allow it (an unfinished build, a missing key, …),
/// <see cref="ErrorKind.NotFound"/> for no such breach or nothing to resume, <see cref="ErrorKind.BadInput"/> for an
/// unusable source dump or argument.</summary>
public sealed class PrivateBuildException(string message, ErrorKind kind = ErrorKind.DataDir) : LeakwatchException(kind, message);

/// <summary>Reader options ⇄ what the private manifest records of a source.</summary>
public static class PrivateSources
{
    public static PrivateSource From(string path, ReaderOptions reader, string? region) => new()
    {
        Path = Path.GetFullPath(path),
        Region = string.IsNullOrWhiteSpace(region) ? null : region,
        Columns = reader.Columns is null ? null : [.. reader.Columns],
        Delimiter = reader.Delimiter?.ToString(),
        HasHeader = reader.HasHeader,
        Format = reader.Format == DumpFormat.Auto ? null : reader.Format.ToString(),
        Table = reader.Table,
    };

    public static ReaderOptions ToReaderOptions(PrivateSource source) => new()
    {
        Columns = source.Columns,
        Delimiter = string.IsNullOrEmpty(source.Delimiter) ? null : source.Delimiter[0],
        HasHeader = source.HasHeader,
        Format = Enum.TryParse<DumpFormat>(source.Format, out var f) ? f : DumpFormat.Auto,
        Table = source.Table,
    };
}
