using System.Net;
using System.Text.Encodings.Web;

namespace Leakwatch.Templates;

/// <summary>
/// Encodes exactly as <see cref="WebUtility.HtmlEncode(string)"/>: the five markup characters, Latin-1 above 159 and
/// characters outside the BMP as numeric references, everything else as is. The renderer's default encoder escapes far
/// more (every non-ASCII letter, '+'); the pages were written with WebUtility, so this keeps their bytes.
/// </summary>
internal sealed class WebUtilityHtmlEncoder : HtmlEncoder
{
    public static readonly WebUtilityHtmlEncoder Instance = new();

    private WebUtilityHtmlEncoder()
    {
    }

    /// <summary>The longest reference, <c>&amp;#1114111;</c>.</summary>
    public override int MaxOutputCharactersPerInputCharacter => 10;

    public override string Encode(string value) => WebUtility.HtmlEncode(value);

    public override void Encode(TextWriter output, string value, int startIndex, int characterCount)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        WebUtility.HtmlEncode(value.Substring(startIndex, characterCount), output);
    }

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            var c = text[i];
            if (NeedsReference(c) || char.IsSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var encoded = unicodeScalar switch
        {
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '&' => "&amp;",
            '\'' => "&#39;",
            _ when WillEncode(unicodeScalar) => "&#" + unicodeScalar.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";",
            _ => char.ConvertFromUtf32(unicodeScalar),
        };
        if (encoded.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        encoded.AsSpan().CopyTo(new Span<char>(buffer, bufferLength));
        numberOfCharactersWritten = encoded.Length;
        return true;
    }

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar > char.MaxValue || (unicodeScalar <= char.MaxValue && NeedsReference((char)unicodeScalar));

    private static bool NeedsReference(char c) => c is '<' or '>' or '"' or '&' or '\'' or (>= (char)160 and < (char)256);
}
