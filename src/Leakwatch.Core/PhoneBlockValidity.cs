namespace Leakwatch.Core;

/// <summary>
/// A memo of libphonenumber's validity decision per number block: a calling code, a national number length and all
/// but the last <see cref="PlaceholderDigits"/> digits. A block's answer is proven for all of its numbers at once
/// (<see cref="PhoneNumberRules.CallingCodeRules.ClassifyBlock"/>, with <see cref="BlockPattern"/>s); only a block
/// whose numbers differ ("some valid") sends each of its numbers through the patterns, as before. Phones in dumps
/// cluster in the blocks operators hand out, so most numbers cost a table read instead of two or more regexes.
/// The table is a fixed direct-mapped array shared by all threads: an entry holds its whole key beside the answer
/// in one 64-bit word (written and read atomically), so a collision only evicts, it never answers for another block.
/// </summary>
internal static class PhoneBlockValidity
{
    /// <summary>The digits a block leaves open: 10,000 numbers a block.</summary>
    public const int PlaceholderDigits = 4;

    // Shorter numbers (the shortest valid ones are 4–5 digits) go straight to the patterns.
    private const int MinBlockLength = PlaceholderDigits + 2;
    private const int TableBits = 17; // 1 MiB
    private static readonly ulong[] Table = new ulong[1 << TableBits];

    /// <summary>libphonenumber's <c>IsValidNumber</c> for a national number of ASCII digits without leading zeros.</summary>
    public static bool IsValid(PhoneNumberRules.CallingCodeRules rules, ReadOnlySpan<char> nationalNumber)
    {
        var length = nationalNumber.Length;
        if (length is < MinBlockLength or > PhoneNumberRules.MaxNationalLength)
            return rules.IsValidUncached(nationalNumber);

        var answer = Lookup(rules, nationalNumber);
        return answer switch
        {
            BlockAnswer.All => true,
            BlockAnswer.None => false,
            _ => rules.IsValidUncached(nationalNumber),
        };
    }

    /// <summary>The block's answer, from the table or classified now (and remembered).</summary>
    internal static BlockAnswer Lookup(PhoneNumberRules.CallingCodeRules rules, ReadOnlySpan<char> nationalNumber)
    {
        var length = nationalNumber.Length;
        var prefixLength = length - PlaceholderDigits;
        ulong prefix = 0;
        for (var i = 0; i < prefixLength; i++)
            prefix = prefix * 10 + (uint)(nationalNumber[i] - '0');

        // At most 13 prefix digits (< 2^44), the length (< 2^5) and the calling code (< 2^10): 59 bits, then 2 for the answer.
        var key = (prefix << 15) | ((ulong)length << 10) | (uint)rules.Code;
        var slot = (int)((key * 0x9E3779B97F4A7C15UL) >> (64 - TableBits));
        var entry = Volatile.Read(ref Table[slot]);
        if (entry >> 2 == key)
            return (BlockAnswer)(entry & 3);

        Span<char> block = stackalloc char[PhoneNumberRules.MaxNationalLength];
        nationalNumber[..prefixLength].CopyTo(block);
        block[prefixLength..length].Fill(BlockPattern.Placeholder);
        var answer = rules.ClassifyBlock(block[..length]);
        Volatile.Write(ref Table[slot], (key << 2) | (byte)answer);
        return answer;
    }
}
