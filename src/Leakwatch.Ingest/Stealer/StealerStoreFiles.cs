namespace Leakwatch.Ingest.Stealer;

/// <summary>The next generation of the three stealer-log stores, relative to the data dir, for the manifest swap
/// that publishes the breach.</summary>
internal sealed record StealerStoreFiles(string Sites, string EmailDomains, string Websites);
