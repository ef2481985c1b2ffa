using System.Globalization;
using System.Text;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Invalid identifiers for the lean generator.</summary>
internal static class LeanInvalid
{
    /// <summary>32 invalid phones of the country (country code and 3–5 digits, or a wrong number of the country's
    /// length), each confirmed invalid by libphonenumber, written as plain digits.</summary>
    public static byte[][] Phones(Country country)
    {
        var rng = new Rng(Rng.Derive(country.CountryCode, 98));
        var found = new List<byte[]>();
        ulong low = Country.Pow10(country.NsnLength - 1);
        for (int attempt = 0; found.Count < 32 && attempt < 100_000; attempt++)
        {
            ulong digits;
            if (rng.Chance(0.5))
            {
                int n = rng.Next(3, 6);
                ulong shortLow = Country.Pow10(n - 1);
                digits = (ulong)country.CountryCode * Country.Pow10(n) + shortLow + rng.NextULong(shortLow * 9);
            }
            else digits = country.ToE164(low + rng.NextULong(low * 9));
            string text = digits.ToString(CultureInfo.InvariantCulture);
            if (Country.LibNormalize(text) is null) found.Add(Encoding.ASCII.GetBytes(text));
        }
        return found.Count > 0 ? [.. found] : throw new InvalidOperationException("no invalid phone found for " + country.Region);
    }

    /// <summary>After a local part already written at <paramref name="pos"/>: no '@', a doubled dot in the domain, or an
    /// unknown TLD, each invalid for <see cref="EmailRules"/>;
    /// <paramref name="kind"/> is 0 (no '@'), 1 (doubled dot) or 2 (unknown TLD).</summary>
    public static void Email(byte[] buf, ref int pos, int kind, byte[] domain)
    {
        if (kind != 0) buf[pos++] = (byte)'@';
        int lastDot = Array.LastIndexOf(domain, (byte)'.');
        if (kind == 2)
        {
            domain.AsSpan(0, lastDot).CopyTo(buf.AsSpan(pos));
            pos += lastDot;
            ".invalidtld"u8.CopyTo(buf.AsSpan(pos));
            pos += 11;
            return;
        }
        int firstDot = Array.IndexOf(domain, (byte)'.');
        for (int i = 0; i < domain.Length; i++)
        {
            buf[pos++] = domain[i];
            if (kind == 1 && i == firstDot) buf[pos++] = (byte)'.';
        }
    }
}
