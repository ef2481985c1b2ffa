using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>Properties of the encoding detector, the single-byte transcoder and the identifier cell splitter.</summary>
public sealed class EncodingAndCellProperties
{
    private const string Accented = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÉÈÊÖÜÑÇßŒœ€";

    static EncodingAndCellProperties() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static string NoSurrogates(string? s)
    {
        var sb = new StringBuilder();
        foreach (var c in s ?? "")
        {
            sb.Append(char.IsSurrogate(c) ? 'x' : c);
        }

        return sb.ToString();
    }

    [Property(MaxTest = 300)]
    public bool Detect_AnyUtf8Text_IsUtf8EvenCutAnywhere(string? text, byte cut)
    {
        var bytes = Encoding.UTF8.GetBytes("x" + NoSurrogates(text));
        var head = bytes.AsSpan(0, Math.Max(1, bytes.Length * cut / 255));
        return DumpEncoding.Detect(bytes, wholeInput: true) == DumpEncoding.Utf8
            && DumpEncoding.Detect(head, wholeInput: false) == DumpEncoding.Utf8;
    }

    /// <summary>Latin text in Windows-1252 where every accented letter is followed by an ASCII one: each high byte
    /// then starts an invalid UTF-8 sequence, so there are invalid ones and no valid ones.</summary>
    private static readonly Gen<string> LatinText =
        from length in Gen.Choose(1, 40)
        from accents in Gen.ArrayOf(Gen.Elements(Accented.ToCharArray()), length)
        from asciis in Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz ,;@.0123456789\n".ToCharArray()), length)
        from header in Gen.Elements("", "email,name\n", "Name;Mail\n")
        select header + string.Concat(accents.Zip(asciis, (a, c) => $"{a}{c}"));

    [Property(MaxTest = 300)]
    public Property Detect_Windows1252TextWithAccents_IsWindows1252() =>
        Prop.ForAll(LatinText.ToArbitrary(), latin =>
            DumpEncoding.Detect(Encoding.GetEncoding(1252).GetBytes(latin), wholeInput: true) == DumpEncoding.Windows1252);

    [Property(MaxTest = 200)]
    public bool Detect_ByteOrderMark_Decides(string? text, bool bigEndian)
    {
        var encoding = new UnicodeEncoding(bigEndian, byteOrderMark: true);
        byte[] bytes = [.. encoding.GetPreamble(), .. encoding.GetBytes(NoSurrogates(text))];
        return DumpEncoding.Detect(bytes, wholeInput: true) == (bigEndian ? DumpEncoding.Utf16Be : DumpEncoding.Utf16Le);
    }

    /// <summary>The transcoder, read in pieces of any size (1 byte included), gives exactly what .NET's own
    /// Windows-1252 decoding and UTF-8 encoding give, for every byte value but the five undefined ones.</summary>
    [Property(MaxTest = 300)]
    public bool Decode_Windows1252InAnyReadSizes_MatchesDotNet(byte[] bytes, PositiveInt readSize)
    {
        var defined = bytes.Select(b => b is 0x81 or 0x8D or 0x8F or 0x90 or 0x9D ? (byte)'?' : b).ToArray();
        var expected = Encoding.UTF8.GetBytes(Encoding.GetEncoding(1252).GetString(defined));
        using var decoded = DumpEncoding.Windows1252.Decode(new MemoryStream(defined));
        var got = new MemoryStream();
        var buffer = new byte[Math.Min(readSize.Get, 70_000)];
        int n;
        while ((n = decoded.Read(buffer)) > 0)
        {
            got.Write(buffer, 0, n);
        }

        return got.ToArray().AsSpan().SequenceEqual(expected);
    }

    private static readonly Gen<string[]> EmailLists =
        from length in Gen.Choose(1, 6)
        from locals in Gen.ArrayOf(Gen.Elements("ann", "bo", "c.d", "e_f", "g+h"), length)
        from numbers in Gen.ArrayOf(Gen.Choose(0, 999), length)
        from domains in Gen.ArrayOf(Gen.Elements("example.com", "mail.example.org"), length)
        select locals.Select((l, i) => $"{l}{numbers[i]}@{domains[i]}").ToArray();

    [Property(MaxTest = 300)]
    public Property Emails_JoinedWithAnySeparator_SplitBackExactly() =>
        Prop.ForAll(EmailLists.ToArbitrary(), Gen.Choose(0, 7).ToArbitrary(), (emails, separator) =>
        {
            // '|' and spaces separate only between addresses that each hold an '@': so every part here is whole.
            var joiners = new[] { ";", "; ", ",", " , ", " | ", "|", " ", "\t" };
            var sb = new StringBuilder(" ");
            for (var i = 0; i < emails.Length; i++)
            {
                sb.Append(i == 0 ? "" : joiners[(separator + i) % joiners.Length]).Append(emails[i]);
            }

            var parts = new List<string>();
            foreach (var part in IdentifierCells.Emails(sb.Append(' ').ToString()))
            {
                parts.Add(part.ToString());
            }

            return parts.SequenceEqual(emails);
        });

    [Property(MaxTest = 300)]
    public bool Emails_CellWithoutHardSeparatorsAndOneAt_IsOnePartTrimmed(string? cell)
    {
        var text = (cell ?? "").Replace(";", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal).Replace("@", "", StringComparison.Ordinal) + "@x";
        var parts = new List<string>();
        foreach (var part in IdentifierCells.Emails(text))
        {
            parts.Add(part.ToString());
        }

        return parts.Count == 1 && parts[0] == text.Trim();
    }

    [Property(MaxTest = 300)]
    public bool Parts_AreNeverEmptyNorUntrimmedNorHoldHardSeparators(string? cell, bool phone)
    {
        var text = cell ?? "";
        var enumerator = phone ? IdentifierCells.Phones(text) : IdentifierCells.Emails(text);
        foreach (var part in enumerator)
        {
            if (part.IsEmpty || part.Trim().Length != part.Length || part.Contains(';')
                || (phone ? part.Contains('|') : part.Contains(',')))
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 300)]
    public bool Phones_CommaSplitsOnlyWholeNumbers(PositiveInt a, PositiveInt b, bool extension)
    {
        var first = $"+33 6 {a.Get % 100_000_000:D8}";
        var second = extension ? $"{b.Get % 1000}" : $"+44 7700 {b.Get % 1_000_000:D6}";
        var parts = new List<string>();
        foreach (var part in IdentifierCells.Phones($"{first},{second}"))
        {
            parts.Add(part.ToString());
        }

        return extension ? parts.SequenceEqual([$"{first},{second}"]) : parts.SequenceEqual([first, second]);
    }

    [Theory]
    [InlineData("a@x.com; b@y.com", new[] { "a@x.com", "b@y.com" })]
    [InlineData("a@x.com,b@y.com|c@z.com", new[] { "a@x.com", "b@y.com", "c@z.com" })]
    [InlineData("a|b@x.com", new[] { "a|b@x.com" })]
    [InlineData(" ; ,, ", new string[0])]
    [InlineData("not an email", new[] { "not an email" })]
    public void Emails_Examples(string cell, string[] expected)
    {
        var parts = new List<string>();
        foreach (var part in IdentifierCells.Emails(cell))
        {
            parts.Add(part.ToString());
        }

        Assert.Equal(expected, parts);
    }

    [Theory]
    [InlineData("+33 6 12 34 56 78 | +33 6 98 76 54 32", new[] { "+33 6 12 34 56 78", "+33 6 98 76 54 32" })]
    [InlineData("555-1234,22", new[] { "555-1234,22" })]
    [InlineData("020 7946 0018; 07700 900123", new[] { "020 7946 0018", "07700 900123" })]
    public void Phones_Examples(string cell, string[] expected)
    {
        var parts = new List<string>();
        foreach (var part in IdentifierCells.Phones(cell))
        {
            parts.Add(part.ToString());
        }

        Assert.Equal(expected, parts);
    }
}
