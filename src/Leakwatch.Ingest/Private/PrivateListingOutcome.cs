namespace Leakwatch.Ingest.Private;

/// <summary>What a breach's listing change (`remove`, `breach set --sensitive|--retired` and clearing them) did to
/// the private index.</summary>
public enum PrivateListingOutcome
{
    /// <summary>Nothing to rewrite: no private index, or no recorded source whose members a chain could name it for.</summary>
    Unchanged,

    /// <summary>The breach's members were re-indexed and a new generation published.</summary>
    Reindexed,

    /// <summary>A dump needed to hide the breach could not be read: the private tier was withdrawn (fail closed).</summary>
    Withdrawn,

    /// <summary>The private tier was already withdrawn; the rebuild that ends it lists only what is shown then.</summary>
    AlreadyWithdrawn,

    /// <summary>A dump needed to show the breach again could not be read: nothing hidden leaks, but private lookups
    /// will not list it for the identifiers of that dump until a rebuild.</summary>
    NotReindexed,
}
