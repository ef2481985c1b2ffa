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
    /// Shows a number as <c>+</c>, its calling code and at most six more digits, the rest as <c>x</c>; at least
    /// the last four digits are always masked. What remains names a block of 10,000+ numbers, never a person.
    /// </summary>
    public static string Mask(ulong e164)
    {
        var text = e164.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var callingCode = PhoneNormalizer.CountryCodeOf(e164);
        var codeLength = callingCode == 0 ? 1 : DigitCount((ulong)callingCode);
        var national = text.Length - codeLength;
        var keep = codeLength + Math.Max(0, Math.Min(6, national - 4));
        return string.Create(text.Length + 1, (text, keep), static (span, s) =>
        {
            span[0] = '+';
            for (var i = 0; i < s.text.Length; i++)
            {
                span[i + 1] = i < s.keep ? s.text[i] : 'x';
            }
        });
    }
}
