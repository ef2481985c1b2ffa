namespace Leakwatch.Ingest.Phases;

/// <summary>A directory for one run's spills, removed with everything in it when the run ends, however it ends.</summary>
internal sealed class ScratchDirectory(string path) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
