using Leakwatch.Core;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// The reference client of docs/private-lookup.md §6 in C#: canonicalize, bucket, blind, then unblind the
/// server's answer and walk the entry chain in the returned bucket. The JS client and the tests agree with it.
/// Transport is the caller's: <see cref="Prepare"/> gives what to POST, <see cref="Finish"/> reads the response.
/// </summary>
public static class PrivateLookupClient
{
    /// <summary>The OPRF input of an account as a person types it (email, or phone in any common format), or null.</summary>
    public static byte[]? TryCanonicalize(string account, PhoneNormalizer phones)
    {
        var trimmed = account.AsSpan().Trim();
        Span<byte> input = stackalloc byte[PrivateProtocol.MaxInputLength];
        if (trimmed.Contains('@'))
        {
            Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
            return EmailNormalizer.TryNormalize(trimmed, email, out var n)
                ? input[..PrivateProtocol.WriteEmailInput(email[..n], input)].ToArray()
                : null;
        }

        return phones.TryNormalize(trimmed, out var e164)
            ? input[..PrivateProtocol.WritePhoneInput(e164, input)].ToArray()
            : null;
    }

    /// <summary>Step 2's check of the config: its sections as a layout. Refuses (throws
    /// <see cref="PrivateIndexException"/>) a section whose bucketBits exceed the documented bound, since finer
    /// buckets would narrow a phone number's crowd below 10,000 possible numbers.</summary>
    public static PrivateLayout ReadLayout(IEnumerable<(int Code, int Bits)> configSections) => new(configSections);

    /// <summary>Steps 2–3: the bucket and a freshly blinded element for <paramref name="input"/>; null when the index
    /// has no section for it (a phone whose calling code nothing indexed has: "not found" without asking).</summary>
    public static PrivateQuery? Prepare(byte[] input, PrivateLayout layout)
    {
        var bucket = layout.Bucket(input);
        if (bucket < 0)
        {
            return null;
        }

        var (blind, blinded) = OprfSuite.Blind(input);
        return new PrivateQuery(input, bucket, blind, blinded);
    }

    /// <summary>Steps 3–4: unblinds Z to y and collects the breach ids of the identifier's entries in the bucket
    /// (empty when it has none). Ids are raw catalogue ids; map them through the config's breach list.</summary>
    /// <exception cref="OprfInvalidElementException">The evaluated element is not a valid element.</exception>
    public static List<int> Finish(PrivateQuery query, ReadOnlySpan<byte> evaluatedElement, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> bucketEntries)
    {
        Span<byte> y = stackalloc byte[OprfSuite.OutputSize];
        OprfSuite.Finalize(query.Input, query.Blind, evaluatedElement, y);
        return ReadEntries(y, salt, bucketEntries);
    }

    /// <summary>Walks keycheck_0, keycheck_1, … through a bucket for the PRF output y.</summary>
    public static List<int> ReadEntries(ReadOnlySpan<byte> y, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> bucketEntries)
    {
        var ids = new List<int>();
        Span<byte> prk = stackalloc byte[PrivateEntryCodec.PrkSize];
        PrivateEntryCodec.DerivePrk(y, salt, prk);
        Span<byte> keycheck = stackalloc byte[PrivateProtocol.KeycheckSize];
        Span<ushort> slots = stackalloc ushort[PrivateProtocol.IdsPerEntry];
        for (var i = 0; i < PrivateProtocol.MaxEntriesPerIdentifier; i++)
        {
            PrivateEntryCodec.Keycheck(prk, i, keycheck);
            var at = IndexOf(bucketEntries, keycheck);
            if (at < 0 || !PrivateEntryCodec.TryDecode(prk, i, bucketEntries.Slice(at * PrivateProtocol.EntrySize, PrivateProtocol.EntrySize), slots, out var count, out var more))
            {
                break;
            }

            foreach (var id in slots[..count])
            {
                ids.Add(id);
            }

            if (!more)
            {
                break;
            }
        }

        return ids;
    }

    /// <summary>A linear scan, as the doc's client does: it does not rely on the server sorting the bucket.</summary>
    private static int IndexOf(ReadOnlySpan<byte> bucket, ReadOnlySpan<byte> keycheck)
    {
        for (var j = 0; j + PrivateProtocol.EntrySize <= bucket.Length; j += PrivateProtocol.EntrySize)
        {
            if (bucket.Slice(j, PrivateProtocol.KeycheckSize).SequenceEqual(keycheck))
            {
                return j / PrivateProtocol.EntrySize;
            }
        }

        return -1;
    }
}
