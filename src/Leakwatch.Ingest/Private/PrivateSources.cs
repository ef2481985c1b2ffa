using Leakwatch.Privacy.Buckets;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Private;

/// <summary>Reader options ⇄ what the private manifest records of a source.</summary>
public static class PrivateSources
{
    public static PrivateSource From(string path, ReaderOptions reader, string? region) => new()
    {
        Path = path == DumpReader.StandardInput ? path : Path.GetFullPath(path),
        Region = string.IsNullOrWhiteSpace(region) ? null : region,
        Columns = reader.Columns is null ? null : [.. reader.Columns],
        Delimiter = reader.Delimiter?.ToString(),
        HasHeader = reader.HasHeader,
        Format = reader.Format == DumpFormat.Auto ? null : reader.Format.ToString(),
        Table = reader.Table,
        Encoding = reader.Encoding,
    };

    /// <summary>Whether a rebuild can read <paramref name="source"/> again: not when it was standard input.</summary>
    public static bool IsRereadable(PrivateSource source) => source.Path != DumpReader.StandardInput;

    /// <summary>The one line a rebuild says about a source read from standard input.</summary>
    public static string NotRereadable(string breach) =>
        $"{breach} was ingested from standard input, which cannot be read again; give its dump as a file (keys rotate-oprf: --source {breach}=PATH)";

    public static ReaderOptions ToReaderOptions(PrivateSource source) => new()
    {
        Columns = source.Columns,
        Delimiter = string.IsNullOrEmpty(source.Delimiter) ? null : source.Delimiter[0],
        HasHeader = source.HasHeader,
        Format = Enum.TryParse<DumpFormat>(source.Format, out var f) ? f : DumpFormat.Auto,
        Table = source.Table,
        Encoding = source.Encoding,
    };
}
