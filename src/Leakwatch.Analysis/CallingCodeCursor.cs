using Leakwatch.Core;

namespace Leakwatch.Analysis;

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
