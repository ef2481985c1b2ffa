namespace Leakwatch.Reading;

/// <summary>The backslash escapes of PostgreSQL's COPY text format.</summary>
internal static class PgCopyEscapes
{
    /// <returns>Bytes written to <paramref name="output"/> (never more than the field's length).</returns>
    public static int Decode(ReadOnlySpan<byte> field, Span<byte> output)
    {
        var n = 0;
        var i = 0;
        while (i < field.Length)
        {
            var c = field[i++];
            if (c != (byte)'\\' || i >= field.Length)
            {
                output[n++] = c;
                continue;
            }

            var e = field[i++];
            if (e is >= (byte)'0' and <= (byte)'7')
            {
                var value = e - '0';
                for (var k = 0; k < 2 && i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; k++)
                {
                    value = (value * 8) + (field[i++] - '0');
                }

                output[n++] = (byte)value;
            }
            else if (e == (byte)'x' && i < field.Length && char.IsAsciiHexDigit((char)field[i]))
            {
                var value = HexValue(field[i++]);
                if (i < field.Length && char.IsAsciiHexDigit((char)field[i]))
                {
                    value = (value << 4) | HexValue(field[i++]);
                }

                output[n++] = (byte)value;
            }
            else
            {
                output[n++] = e switch
                {
                    (byte)'b' => 8,
                    (byte)'f' => 12,
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    (byte)'v' => 11,
                    _ => e,
                };
            }
        }

        return n;
    }

    private static int HexValue(byte c) => c <= (byte)'9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
