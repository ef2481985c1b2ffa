namespace Leakwatch.Privacy.Buckets;

/// <summary>What a client holds between sending its blinded element and reading the answer.</summary>
public sealed class PrivateQuery
{
    internal PrivateQuery(byte[] input, long bucket, byte[] blind, byte[] blindedElement)
    {
        Input = input;
        Bucket = bucket;
        Blind = blind;
        BlindedElement = blindedElement;
    }

    /// <summary>The OPRF input x; never sent.</summary>
    public byte[] Input { get; }

    public long Bucket { get; }

    /// <summary>The blinding scalar r; never sent.</summary>
    public byte[] Blind { get; }

    /// <summary>B = r · HashToGroup(x): what the server sees.</summary>
    public byte[] BlindedElement { get; }
}
