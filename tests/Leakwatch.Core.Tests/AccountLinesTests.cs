using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Leakwatch.Core.Tests;

/// <summary>The one-account-per-line parser of <c>check --file</c> and the bulk endpoint's text/plain body.</summary>
public class AccountLinesTests
{
    /// <summary>Lines of mixed content: accounts, blanks, padding, stray CRs, non-ASCII.</summary>
    private static readonly Gen<string> Line = Gen.OneOf(
        Gen.Elements("", " ", "\t", " \t ", "a@b.example", "  x@y.example\t", "+44 7700 900123", "zoë@exämple.com", "a\rb", "\r"),
        ArbMap.Default.GeneratorFor<string>().Select(s => (s ?? "").Replace("\n", "", StringComparison.Ordinal).Replace("\uFEFF", "", StringComparison.Ordinal)));

    private static readonly Gen<(string[] Lines, bool[] Crlf, bool Bom, bool FinalNewline, int BlockSize)> Input =
        from lines in Gen.ArrayOf(Line)
        from crlf in Gen.ArrayOf(ArbMap.Default.GeneratorFor<bool>(), lines.Length)
        from bom in ArbMap.Default.GeneratorFor<bool>()
        from final in ArbMap.Default.GeneratorFor<bool>()
        from block in Gen.Choose(1, 64)
        select (lines, crlf, bom, final, block);

    [Property(MaxTest = 1000)]
    public Property BlocksOfAnySize_GiveEveryNonBlankLineTrimmedWithItsNumber() =>
        Prop.ForAll(Input.ToArbitrary(), input =>
        {
            var (lines, crlf, bom, finalNewline, blockSize) = input;
            var text = new StringBuilder(bom ? "\uFEFF" : "");
            for (var i = 0; i < lines.Length; i++)
            {
                text.Append(lines[i]);
                if (i < lines.Length - 1 || finalNewline)
                {
                    text.Append(crlf[i] ? "\r\n" : "\n");
                }
            }

            var expected = new List<(long, string)>();
            for (var i = 0; i < lines.Length; i++)
            {
                var bytes = Encoding.UTF8.GetBytes(lines[i]);
                var trimmed = bytes.AsSpan().Trim(" \t\r"u8);
                if (!trimmed.IsEmpty)
                {
                    expected.Add((i + 1, Convert.ToHexString(trimmed)));
                }
            }

            var actual = new List<(long, string)>();
            using var reader = new AccountBlockReader(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), blockSize);
            while (reader.TryRead(out var block))
            {
                var lineReader = block.Lines();
                while (lineReader.TryRead(out var account))
                {
                    actual.Add((lineReader.LineNumber, Convert.ToHexString(account)));
                }

                System.Buffers.ArrayPool<byte>.Shared.Return(block.Buffer);
            }

            return expected.SequenceEqual(actual);
        });

    [Fact]
    public void WholeLines_CutsAfterTheLastNewlineUnlessFinal()
    {
        Assert.Equal(3, AccountLines.WholeLines("ab\nc\nde"u8[..4], final: false));
        Assert.Equal(5, AccountLines.WholeLines("ab\nc\nde"u8, final: false));
        Assert.Equal(7, AccountLines.WholeLines("ab\nc\nde"u8, final: true));
        Assert.Equal(0, AccountLines.WholeLines("abc"u8, final: false));
    }
}
