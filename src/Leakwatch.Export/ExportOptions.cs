namespace Leakwatch.Export;

/// <summary>What <c>leakwatch export</c> reads and where it writes.</summary>
public sealed record ExportOptions
{
    public required string DataDir { get; init; }

    /// <summary>The key file; needed only when the data dir has a private index (its buckets are decrypted).</summary>
    public required string KeyFilePath { get; init; }

    public required string OutDir { get; init; }

    /// <summary>Worker threads; 0 means one per core.</summary>
    public int Threads { get; init; }

    /// <summary>For tests: only prefixes this accepts get files (every prefix still gets its manifest entry), since
    /// 4 × 16⁵ files take a minute however small the store.</summary>
    internal Func<int, bool>? IncludePrefix { get; init; }
}
