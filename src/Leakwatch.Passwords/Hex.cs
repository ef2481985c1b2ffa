namespace Leakwatch.Passwords;

/// <summary>Upper-case hex encoding and decoding through lookup tables.</summary>
internal static class Hex
{
    /// <summary>Both ASCII digits of a byte, packed little-endian (first digit in the low byte).</summary>
    public static readonly ushort[] Pairs = BuildPairs();

    public static ReadOnlySpan<byte> Digits => "0123456789ABCDEF"u8;

    private static ushort[] BuildPairs()
    {
        var t = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            t[i] = (ushort)(Digits[i >> 4] | (Digits[i & 15] << 8));
        }

        return t;
    }

    /// <summary>Value of a hex digit (either case), or -1.</summary>
    public static int Value(int c)
    {
        var d = (uint)(c - '0');
        if (d <= 9)
        {
            return (int)d;
        }

        var l = (uint)((c | 0x20) - 'a');
        return l <= 5 ? (int)l + 10 : -1;
    }

    /// <summary>Decodes exactly 2 × destination.Length hex digits; false on any non-hex byte.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> hex, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var hi = Value(hex[2 * i]);
            var lo = Value(hex[2 * i + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }
}
