namespace Leakwatch.Synthetic.Internal;

/// <summary>Byte writers of the lean generator: decimal digits, phones in <see cref="PhoneFactory.Format"/>'s five
/// styles, dates (ISO or M/D/YYYY) and the mixed-case rewrite of an email.</summary>
internal static class LeanFormat
{
    public static int Digits(Span<byte> dest, ulong value)
    {
        Span<byte> tmp = stackalloc byte[20];
        int n = 0;
        do
        {
            tmp[n++] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
        while (value != 0);
        for (int i = 0; i < n; i++) dest[i] = tmp[n - 1 - i];
        return n;
    }

    /// <summary>0 "+447911123456", 1 "+44 7911 123456", 2 "447911123456", 3 "+44-7911-123456", 4 "+44 (7911) 123456".</summary>
    public static int Phone(Span<byte> dest, ulong e164, int ccDigits, int[] groups, int style)
    {
        Span<byte> digits = stackalloc byte[20];
        int n = Digits(digits, e164);
        int pos = 0;
        if (style != 2) dest[pos++] = (byte)'+';
        if (style is 0 or 2)
        {
            digits[..n].CopyTo(dest[pos..]);
            return pos + n;
        }
        byte sep = style == 3 ? (byte)'-' : (byte)' ';
        digits[..ccDigits].CopyTo(dest[pos..]);
        pos += ccDigits;
        int at = ccDigits;
        for (int g = 0; g < groups.Length; g++)
        {
            int len = g == groups.Length - 1 ? n - at : Math.Min(groups[g], n - at);
            if (len <= 0) break;
            if (style == 4 && g == 0)
            {
                dest[pos++] = (byte)' ';
                dest[pos++] = (byte)'(';
            }
            else dest[pos++] = sep;
            digits.Slice(at, len).CopyTo(dest[pos..]);
            pos += len;
            if (style == 4 && g == 0) dest[pos++] = (byte)')';
            if (style == 4 && g == 1 && groups.Length > 2) sep = (byte)'-';
            at += len;
        }
        return pos;
    }

    public static int Date(Span<byte> dest, bool iso, int year, int month, int day)
    {
        int pos;
        if (iso)
        {
            pos = Fixed(dest, year, 4);
            dest[pos++] = (byte)'-';
            pos += Fixed(dest[pos..], month, 2);
            dest[pos++] = (byte)'-';
            return pos + Fixed(dest[pos..], day, 2);
        }
        pos = Digits(dest, (ulong)month);
        dest[pos++] = (byte)'/';
        pos += Digits(dest[pos..], (ulong)day);
        dest[pos++] = (byte)'/';
        return pos + Fixed(dest[pos..], year, 4);
    }

    private static int Fixed(Span<byte> dest, int value, int width)
    {
        for (int i = width - 1; i >= 0; i--)
        {
            dest[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
        return width;
    }

    /// <summary>Upper-cases ASCII letters: all of them, or the first of each part (after start, '.', '@', '_').</summary>
    public static void MixCase(Span<byte> email, bool all)
    {
        bool start = true;
        for (int i = 0; i < email.Length; i++)
        {
            byte c = email[i];
            if ((all || start) && c is >= (byte)'a' and <= (byte)'z') email[i] = (byte)(c - 32);
            start = c is (byte)'.' or (byte)'@' or (byte)'_';
        }
    }
}
