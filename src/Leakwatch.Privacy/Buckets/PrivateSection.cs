namespace Leakwatch.Privacy.Buckets;

/// <summary>One range of a private index's buckets: emails (code 0) or the phones of one country calling code,
/// with its own bucket bits. Its buckets are numbered from <see cref="First"/> in the file and on the wire.</summary>
public readonly record struct PrivateSection(int Code, int Bits, long First)
{
    public long Buckets => 1L << Bits;

    /// <summary>The bucket's dummy-keycheck identity: section code and bucket within the section, unchanged when a
    /// merge adds sections and so moves the global bucket number.</summary>
    public long StableId(long bucket) => ((long)Code << 32) | (bucket - First);
}
