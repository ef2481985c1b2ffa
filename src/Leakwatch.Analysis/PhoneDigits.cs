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

/// <summary>
/// Calling code of numbers read in ascending order. All numbers with the same digit count that start with the
/// same calling code form one contiguous range, so after one lookup the next numbers are answered by two compares.
/// </summary>
internal struct CallingCodeCursor
{
    private ulong _low;
    private ulong _high; // exclusive
    private int _code;

    public int Of(ulong e164)
    {
        if (e164 >= _low && e164 < _high)
        {
            return _code;
        }

        var code = PhoneNormalizer.CountryCodeOf(e164);
        var digits = PhoneDigits.DigitCount(e164);
        if (code == 0)
        {
            _low = e164;
            _high = e164 + 1;
        }
        else
        {
            var rest = digits - PhoneDigits.DigitCount((ulong)code);
            _low = (ulong)code * PhoneDigits.Pow10[rest];
            _high = ((ulong)code + 1) * PhoneDigits.Pow10[rest];
        }

        _code = code;
        return code;
    }
}
