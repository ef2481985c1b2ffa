namespace Leakwatch.Export;

/// <summary>What one export did: files counted with their <c>.gz</c> siblings.</summary>
public sealed record ExportResult
{
    public long Written { get; init; }

    public long Unchanged { get; init; }

    public long Removed { get; init; }

    public double Seconds { get; init; }

    /// <summary>The password store generation exported.</summary>
    public long PasswordGeneration { get; init; }

    /// <summary>The private index generation whose buckets were exported, or null when the data dir has none.</summary>
    public long? PrivateGeneration { get; init; }

    public long PrivateBuckets { get; init; }

    /// <summary>Bytes of range bodies and gzip siblings written.</summary>
    public long BytesWritten { get; init; }

    /// <summary>True when no previous manifest could be used, so every file was written.</summary>
    public bool Full { get; init; }
}
