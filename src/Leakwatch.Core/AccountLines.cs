namespace Leakwatch.Core;

/// <summary>
/// Accounts one per line, as <c>check --file</c> and <c>POST /api/v3/bulk</c> (text/plain) take them: UTF-8 with or
/// without a byte order mark, lines ending in LF or CRLF (the last one may lack it), spaces and tabs around an account
/// ignored, blank lines skipped but counted, so an error can name the line as an editor numbers it.
/// </summary>
public static class AccountLines
{
    /// <summary>The UTF-8 byte order mark.</summary>
    public static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>How many leading bytes are a byte order mark (0 or 3).</summary>
    public static int BomLength(ReadOnlySpan<byte> text) => text.StartsWith(Bom) ? Bom.Length : 0;

    /// <summary>The line without its spaces and tabs at either end (a CR before the LF is one of them).</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8);

    /// <summary>The length of the longest prefix of <paramref name="text"/> made of whole lines (ending in LF); all of it
    /// when <paramref name="final"/> (the end of the input ends the last line).</summary>
    public static int WholeLines(ReadOnlySpan<byte> text, bool final) => final ? text.Length : text.LastIndexOf((byte)'\n') + 1;
}
