using Leakwatch.Core;

namespace Leakwatch.Analysis;

/// <summary>Arithmetic on E.164 numbers packed as digits in a <see cref="ulong"/>.</summary>
internal static class PhoneDigits
{
    public static readonly ulong[] Pow10 = BuildPow10();

    private static ulong[] BuildPow10()
    {
        var p = new ulong[20];
        p[0] = 1;
        for (var i = 1; i < p.Length; i++)
        {
            p[i] = p[i - 1] * 10;
        }

        return p;
    }

    public static int DigitCount(ulong n)
    {
        var d = 1;
        while (d < 20 && n >= Pow10[d])
        {
            d++;
        }

        return d;
    }

    /// <summary>The leading <paramref name="count"/> digits (all of them when the number is shorter).</summary>
    public static ulong Leading(ulong n, int digits, int count) => digits <= count ? n : n / Pow10[digits - count];

    /// <summary>
    /// The start of a run of <paramref name="runLength"/> consecutive numbers, masked to a block of at least 10× the
    /// run's length (and never under 10,000 numbers): <c>+</c>, the calling code and at most six more digits, the rest
    /// as <c>x</c>. A run fills at most a tenth of the block it names, so the report proves no specific number is in
    /// the dump; a run as long as the national numbering space shows only its calling code.
    /// </summary>
    public static string Mask(ulong e164, long runLength = 1)
    {
        var text = e164.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var callingCode = PhoneNormalizer.CountryCodeOf(e164);
        var codeLength = callingCode == 0 ? 1 : DigitCount((ulong)callingCode);
        var national = text.Length - codeLength;
        var keep = codeLength + Math.Max(0, Math.Min(6, national - MaskedDigits(runLength)));
        return string.Create(text.Length + 1, (text, keep), static (span, s) =>
        {
            span[0] = '+';
            for (var i = 0; i < s.text.Length; i++)
            {
                span[i + 1] = i < s.keep ? s.text[i] : 'x';
            }
        });
    }

    /// <summary>Trailing digits to hide so the block they span (10^digits numbers) holds at least 10× the run and at
    /// least 10,000 numbers.</summary>
    internal static int MaskedDigits(long runLength)
    {
        var block = (ulong)Math.Max(1, runLength) * 10;
        return Math.Max(4, DigitCount(block - 1));
    }
}
