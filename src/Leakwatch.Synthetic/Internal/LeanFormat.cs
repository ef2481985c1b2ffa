using System.Numerics;
using System.Runtime.CompilerServices;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Byte writers of the lean generator: decimal digits, phones in <see cref="PhoneFactory.Format"/>'s five
/// styles, dates (ISO or M/D/YYYY) and the mixed-case rewrite of an email.</summary>
internal static class LeanFormat
{
    /// <summary>"00", "01", … "99": two digits per division by 100 instead of one per division by 10.</summary>
    private static readonly byte[] Pairs = MakePairs();

    private static byte[] MakePairs()
    {
        var pairs = new byte[200];
        for (int i = 0; i < 100; i++)
        {
            pairs[2 * i] = (byte)('0' + (i / 10));
            pairs[(2 * i) + 1] = (byte)('0' + (i % 10));
        }
        return pairs;
    }

    /// <summary>The decimal digits of <paramref name="value"/> (no leading zeros) at <paramref name="pos"/>; returns
    /// their count. Same bytes as <see cref="Digits"/>, for the hot path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FastDigits(byte[] buf, int pos, ulong value)
    {
        int n = DigitCount(value);
        int at = pos + n;
        while (value >= 100)
        {
            ulong q = value / 100;
            int r = 2 * (int)(value - (q * 100));
            buf[--at] = Pairs[r + 1];
            buf[--at] = Pairs[r];
            value = q;
        }
        if (value >= 10)
        {
            int r = 2 * (int)value;
            buf[--at] = Pairs[r + 1];
            buf[--at] = Pairs[r];
        }
        else buf[--at] = (byte)('0' + (int)value);
        return n;
    }

    /// <summary>The digit pair of <paramref name="value"/> (0–99): tens then ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (byte Tens, byte Ones) Pair(int value) => (Pairs[2 * value], Pairs[(2 * value) + 1]);

    private static readonly ulong[] Powers = MakePowers();

    private static ulong[] MakePowers()
    {
        var powers = new ulong[20];
        powers[0] = 1;
        for (int i = 1; i < powers.Length; i++) powers[i] = powers[i - 1] * 10;
        return powers;
    }

    /// <summary>The number of decimal digits (1 for 0), from the bit length instead of a division per digit.</summary>
    public static int DigitCount(ulong value)
    {
        int t = ((BitOperations.Log2(value) + 1) * 1233) >> 12;
        int n = t + 1 - (t < Powers.Length && value < Powers[t] ? 1 : 0);
        return Math.Max(n, 1);
    }

    /// <summary>Writes <paramref name="value"/> (0–99) as two digits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Two(byte[] buf, int pos, int value)
    {
        buf[pos] = Pairs[2 * value];
        buf[pos + 1] = Pairs[(2 * value) + 1];
    }

    /// <summary>Writes <paramref name="value"/> (0–99) without a leading zero; returns 1 or 2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int OneOrTwo(byte[] buf, int pos, int value)
    {
        if (value < 10)
        {
            buf[pos] = (byte)('0' + value);
            return 1;
        }
        Two(buf, pos, value);
        return 2;
    }

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
