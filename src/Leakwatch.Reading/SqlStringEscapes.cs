namespace Leakwatch.Reading;

/// <summary>The body of a quoted SQL string literal: doubled quotes, and MySQL's backslash escapes when on.</summary>
internal static class SqlStringEscapes
{
    /// <summary>Decodes from just after the opening quote into <paramref name="output"/> (at least as long as
    /// <paramref name="body"/>).</summary>
    /// <returns>The offset just past the closing quote, or -1 when the literal does not close.</returns>
    public static int Decode(ReadOnlySpan<byte> body, Span<byte> output, bool backslashEscapes, out int written)
    {
        written = 0;
        var i = 0;
        while (i < body.Length)
        {
            var c = body[i];
            if (c == (byte)'\'')
            {
                if (i + 1 < body.Length && body[i + 1] == (byte)'\'')
                {
                    output[written++] = c;
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            if (c == (byte)'\\' && backslashEscapes && i + 1 < body.Length)
            {
                var e = body[i + 1];
                if (e is (byte)'%' or (byte)'_')
                {
                    // MySQL keeps the backslash of \% and \_ (they are LIKE escapes).
                    output[written++] = c;
                }

                output[written++] = Unescape(e);
                i += 2;
                continue;
            }

            output[written++] = c;
            i++;
        }

        return -1;
    }

    private static byte Unescape(byte e) => e switch
    {
        (byte)'0' => 0,
        (byte)'b' => 8,
        (byte)'n' => (byte)'\n',
        (byte)'r' => (byte)'\r',
        (byte)'t' => (byte)'\t',
        (byte)'Z' => 0x1A,
        _ => e,
    };
}
