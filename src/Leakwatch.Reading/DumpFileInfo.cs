namespace Leakwatch.Reading;

public sealed record DumpFileInfo(string Path, string Format, char? Delimiter, bool HasHeader, string? Compression)
{
    /// <summary>The encoding the file was read in, as <see cref="DumpEncoding.Name"/> names it.</summary>
    public string Encoding { get; init; } = DumpEncoding.Utf8.Name;
}
