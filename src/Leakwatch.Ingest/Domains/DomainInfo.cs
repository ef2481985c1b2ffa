namespace Leakwatch.Ingest.Domains;

/// <summary>A domain a collector has met: its keyed tag and UTF-8 name, computed once (the HMAC is what the cache
/// saves), and its id in the buffer being filled. The tag and name never change, so a buffer being spilled on a
/// background task reads them while the reading thread sets the id for the next buffer.</summary>
internal sealed class DomainInfo(ulong tag, byte[] utf8)
{
    public ulong Tag { get; } = tag;

    public byte[] Utf8 { get; } = utf8;

    /// <summary>The <see cref="DomainAliasBuffer.Generation"/> <see cref="BufferId"/> belongs to.</summary>
    public long BufferGeneration { get; set; } = -1;

    public int BufferId { get; set; }
}
