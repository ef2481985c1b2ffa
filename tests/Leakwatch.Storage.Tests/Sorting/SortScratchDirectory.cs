namespace Leakwatch.Storage.Tests.Sorting;

/// <summary>A fresh directory for one test's runs, removed afterwards.</summary>
internal sealed class SortScratchDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("lw-sort-test-").FullName;

    public string[] Files() => Directory.GetFiles(Path);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
