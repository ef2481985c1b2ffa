using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Private;

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
                throw new PrivateBuildException($"{StatePath}: unsupported private build state (an older Leakwatch's?); delete {Root} to discard the build");
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
