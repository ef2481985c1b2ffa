namespace Leakwatch.Reading;

/// <summary>Where a scan of SQL text stands: inside a quoted string or identifier, or a comment. It survives
/// buffer refills, so a statement may span any number of reads.</summary>
internal struct SqlQuoteState
{
    /// <summary>The open quote (' " or `), or 0.</summary>
    public byte Quote;
    public bool LineComment;
    public bool BlockComment;

    /// <summary>Consumes <paramref name="c"/> (followed by <paramref name="next"/>, 0 at the end).</summary>
    /// <returns>Bytes consumed, or -1 when <paramref name="c"/> is a statement-ending ';'.</returns>
    public int Step(byte c, byte next, bool backslashEscapes)
    {
        if (Quote != 0)
        {
            if (c == (byte)'\\' && backslashEscapes && Quote != (byte)'`')
            {
                return 2;
            }

            if (c == Quote)
            {
                if (next == Quote)
                {
                    return 2;
                }

                Quote = 0;
            }

            return 1;
        }

        if (LineComment)
        {
            LineComment = c != (byte)'\n';
            return 1;
        }

        if (BlockComment)
        {
            if (c == (byte)'*' && next == (byte)'/')
            {
                BlockComment = false;
                return 2;
            }

            return 1;
        }

        switch (c)
        {
            case (byte)';':
                return -1;
            case (byte)'\'' or (byte)'"' or (byte)'`':
                Quote = c;
                return 1;
            case (byte)'-' when next == (byte)'-':
                LineComment = true;
                return 2;
            case (byte)'/' when next == (byte)'*':
                BlockComment = true;
                return 2;
            default:
                return 1;
        }
    }
}
