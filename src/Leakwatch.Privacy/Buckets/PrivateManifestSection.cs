namespace Leakwatch.Privacy.Buckets;

/// <summary>A bucket section in the private manifest: <c>code</c> 0 for emails, else a country calling code.</summary>
public sealed record PrivateManifestSection
{
    public int Code { get; init; }

    public int Bits { get; init; }
}
