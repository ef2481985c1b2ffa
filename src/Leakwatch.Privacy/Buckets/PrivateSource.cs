namespace Leakwatch.Privacy.Buckets;

/// <summary>A dump's path and the reading options it was ingested with (what `ingest` was told).</summary>
public sealed record PrivateSource
{
    /// <summary>The dump's full path, or "-" when it was read from standard input, which no rebuild can read again.</summary>
    public string Path { get; init; } = "";

    public string? Region { get; init; }

    public List<string>? Columns { get; init; }

    public string? Delimiter { get; init; }

    public bool? HasHeader { get; init; }

    public string? Format { get; init; }

    /// <summary>The SQL table read (--table); null = the reader's default choice.</summary>
    public string? Table { get; init; }

    /// <summary>The text encoding forced with --encoding; null = detected per file, as the ingest did.</summary>
    public string? Encoding { get; init; }
}
