using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Ingest.Private;

public sealed class PrivateBuildSource
{
    /// <summary>Catalogue id; 0 until an ingest has assigned it.</summary>
    public int BreachId { get; set; }

    public string Breach { get; set; } = "";

    public PrivateSource Source { get; set; } = new();

    /// <summary>Every identifier of the source is in sealed spill chunks (and fsynced).</summary>
    public bool Spilled { get; set; }

    /// <summary>Identifier occurrences spilled (duplicates included).</summary>
    public long SpilledIdentifiers { get; set; }

    /// <summary>Distinct identifiers of the breach (from its ingest statistics), for choosing bucketBits.</summary>
    public long Distinct { get; set; }
}
