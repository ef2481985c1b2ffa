namespace Leakwatch.Synthetic.Internal;

/// <summary>One phone style of one country, as <see cref="LeanFormat.Phone"/> writes it for every number of
/// <see cref="DigitCount"/> digits: the literal bytes ('+', separators, parentheses) and where each digit goes. The
/// layout depends only on the digit count, so it is computed once from a sample number.</summary>
internal sealed class PhoneTemplate
{
    /// <summary>The sample's bytes, padded so that a fixed-size copy never reads past the end.</summary>
    private readonly byte[] _bytes;
    private readonly byte[] _digitAt;

    public PhoneTemplate(int ccDigits, int nsnLength, int[] groups, int style)
    {
        DigitCount = ccDigits + nsnLength;
        Span<byte> sample = stackalloc byte[64];
        Length = LeanFormat.Phone(sample, Country.Pow10(DigitCount - 1), ccDigits, groups, style);
        _bytes = new byte[Length + 32];
        sample[..Length].CopyTo(_bytes);
        _digitAt = new byte[DigitCount];
        int k = 0;
        for (int i = 0; i < Length; i++)
        {
            if (char.IsAsciiDigit((char)sample[i])) _digitAt[k++] = (byte)i;
        }
        if (k != DigitCount) throw new InvalidOperationException("phone template: digits out of order");
    }

    public int DigitCount { get; }

    public int Length { get; }

    /// <summary>Writes the number (which must have <see cref="DigitCount"/> digits) at <paramref name="pos"/>; returns
    /// the length. <paramref name="buf"/> must have 32 bytes of room past the phone.</summary>
    public int Write(byte[] buf, int pos, ulong e164)
    {
        _bytes.AsSpan(0, 32).CopyTo(buf.AsSpan(pos, 32));
        int k = DigitCount;
        ulong value = e164;
        while (k >= 2)
        {
            ulong q = value / 100;
            (byte tens, byte ones) = LeanFormat.Pair((int)(value - (q * 100)));
            buf[pos + _digitAt[--k]] = ones;
            buf[pos + _digitAt[--k]] = tens;
            value = q;
        }
        if (k == 1) buf[pos + _digitAt[0]] = (byte)('0' + (int)value);
        return Length;
    }
}
