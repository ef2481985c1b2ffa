namespace Leakwatch.Reading;

public sealed record ReaderOptions
{
    /// <summary>Column separator; null = sniff among ',' ';' tab '|' ':'.</summary>
    public char? Delimiter { get; init; }

    /// <summary>Whether the first row is a header; null = detect (false when <see cref="Columns"/> is given).</summary>
    public bool? HasHeader { get; init; }

    /// <summary>Explicit column names for a headerless file, mapped through <see cref="ColumnRoles"/>.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    public DumpFormat Format { get; init; } = DumpFormat.Auto;

    /// <summary>The text encoding every file is read in (`--encoding`, a name <see cref="DumpEncoding.TryParse"/>
    /// knows); null = detect per file (<see cref="DumpEncoding.Detect"/>).</summary>
    public string? Encoding { get; init; }

    /// <summary>The SQL table to read; null = the first whose columns include an email or phone.</summary>
    public string? Table { get; init; }

    /// <summary>Rows longer than this (in UTF-16 chars) are reported as problems and skipped.</summary>
    public int MaxRowChars { get; init; } = 1_048_576;

    /// <summary>Bytes of whole records the scanning thread hands to a parsing thread at a time
    /// (<see cref="DumpReader.ReadParallel"/>); small values only make sense in tests.</summary>
    public int ParallelChunkBytes { get; init; } = 1 << 20;

    public static ReaderOptions Default { get; } = new();
}
