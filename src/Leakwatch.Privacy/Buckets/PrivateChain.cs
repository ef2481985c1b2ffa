using System.Runtime.CompilerServices;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// One identifier's chain as the OPRF phase leaves it for the merge: <c>prk (32) || u8 k || k entries (48 each)</c>,
/// where prk = HKDF-Extract(salt, y) and the k entries list the identifier's breaches (k = 0 when it has none left).
/// All the per-identifier cryptography happens here, on all cores; the merge only compares and copies.
/// </summary>
public static class PrivateChain
{
    public const int HeaderSize = PrivateEntryCodec.PrkSize + 1;
    public const int MaxSize = HeaderSize + PrivateProtocol.MaxEntriesPerIdentifier * PrivateProtocol.EntrySize;

    /// <summary>Writes the chain of an identifier with PRF output <paramref name="y"/> in <paramref name="breachIds"/>
    /// (ascending catalogue ids); returns its length.</summary>
    [SkipLocalsInit]
    public static int Encode(ReadOnlySpan<byte> y, ReadOnlySpan<byte> salt, ReadOnlySpan<int> breachIds, IPrivateRandom random, Span<byte> destination)
    {
        var entries = breachIds.IsEmpty ? 0 : PrivateProtocol.EntriesFor(breachIds.Length);
        if (entries > PrivateProtocol.MaxEntriesPerIdentifier)
        {
            throw new PrivateIndexException($"an identifier is in {breachIds.Length} breaches; the private format holds at most {PrivateProtocol.MaxEntriesPerIdentifier * PrivateProtocol.IdsPerEntry}");
        }

        var prk = destination[..PrivateEntryCodec.PrkSize];
        PrivateEntryCodec.DerivePrk(y, salt, prk);
        destination[PrivateEntryCodec.PrkSize] = (byte)entries;
        Span<ushort> ids = stackalloc ushort[PrivateProtocol.IdsPerEntry];
        Span<byte> nonce = stackalloc byte[PrivateProtocol.NonceSize];
        for (var i = 0; i < entries; i++)
        {
            var slice = breachIds.Slice(i * PrivateProtocol.IdsPerEntry, Math.Min(PrivateProtocol.IdsPerEntry, breachIds.Length - i * PrivateProtocol.IdsPerEntry));
            for (var k = 0; k < slice.Length; k++)
            {
                if (slice[k] is < 1 or > PrivateProtocol.MaxBreachId)
                {
                    throw new PrivateIndexException($"breach id {slice[k]} does not fit the private format (1–{PrivateProtocol.MaxBreachId})");
                }

                ids[k] = (ushort)slice[k];
            }

            random.Fill(nonce);
            PrivateEntryCodec.Encode(prk, i, nonce, ids[..slice.Length], more: i < entries - 1,
                destination.Slice(HeaderSize + i * PrivateProtocol.EntrySize, PrivateProtocol.EntrySize));
        }

        return HeaderSize + entries * PrivateProtocol.EntrySize;
    }
}
