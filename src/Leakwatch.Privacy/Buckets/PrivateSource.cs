namespace Leakwatch.Privacy.Buckets;

/// <summary>A dump's path and the reading options it was ingested with (what `ingest` was told).</summary>
public sealed record PrivateSource
{
    public string Path { get; init; } = "";

    public string? Region { get; init; }

    public List<string>? Columns { get; init; }

    public string? Delimiter { get; init; }

    public bool? HasHeader { get; init; }

    public string? Format { get; init; }

    /// <summary>The SQL table read (--table); null = the reader's default choice.</summary>
    public string? Table { get; init; }
}
