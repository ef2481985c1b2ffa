namespace Leakwatch.Reading;

/// <summary>Finds where one element of a JSON array ends (strings, escapes and nesting respected) without
/// parsing it; the state survives buffer refills.</summary>
internal struct JsonElementScan
{
    private int _depth;
    private bool _inString;
    private bool _escape;
    private bool _started;

    /// <returns>The offset just past the element in <paramref name="data"/>, or -1 when it goes on beyond it.</returns>
    public int Advance(ReadOnlySpan<byte> data, ref int pos)
    {
        while (pos < data.Length)
        {
            var c = data[pos++];
            if (_inString)
            {
                if (_escape)
                {
                    _escape = false;
                }
                else if (c == (byte)'\\')
                {
                    _escape = true;
                }
                else if (c == (byte)'"')
                {
                    _inString = false;
                }

                continue;
            }

            switch (c)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    _depth++;
                    break;
                case (byte)'}' or (byte)']' when _depth > 0:
                    if (--_depth == 0)
                    {
                        return pos;
                    }

                    break;
                case (byte)',' or (byte)']' when _depth == 0 && _started:
                    // A scalar element ends before its separator.
                    return --pos;
            }

            _started = true;
        }

        return -1;
    }
}
