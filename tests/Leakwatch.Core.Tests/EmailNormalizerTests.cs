using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Core;

namespace Leakwatch.Core.Tests;

public class EmailNormalizerTests
{
    [Theory]
    [InlineData("John.Smith@Gmail.COM ", "john.smith@gmail.com")]
    [InlineData("\u00A0 user+tag@example.org\t", "user+tag@example.org")]
    [InlineData("user@müller.de", "user@xn--mller-kva.de")]
    [InlineData("USER@MÜLLER.DE", "user@xn--mller-kva.de")]
    [InlineData("a_b-c@sub.domain.co.uk", "a_b-c@sub.domain.co.uk")]
    [InlineData("x@xn--mller-kva.de", "x@xn--mller-kva.de")]
    [InlineData("ivan@пример.рф", "ivan@xn--e1afmkfd.xn--p1ai")]
    public void TryNormalize_ValidAddress_ReturnsCanonicalForm(string input, string expected)
    {
        Assert.Equal(expected, EmailNormalizer.Normalize(input));
    }

    [Fact]
    public void TryNormalize_UppercaseEmail_Lowercases()
    {
        Assert.Equal("alice@example.com", EmailNormalizer.Normalize("ALICE@EXAMPLE.COM"));
    }

    [Theory]
    [InlineData("a..b@x.com")]
    [InlineData(".ab@x.com")]
    [InlineData("ab.@x.com")]
    [InlineData("user@example.invalidtld")]
    [InlineData("user@localhost")]
    [InlineData("a@b@example.com")]
    [InlineData("@example.com")]
    [InlineData("user@")]
    [InlineData("user@.com")]
    [InlineData("user@a..com")]
    [InlineData("user@-a.com")]
    [InlineData("user@a-.com")]
    [InlineData("user@a_b.com")]
    [InlineData("us er@example.com")]
    [InlineData("jürgen@example.de")]
    [InlineData("user@x.c")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("no-at-sign.example.com")]
    public void TryNormalize_InvalidAddress_ReturnsFalse(string input)
    {
        Span<char> buffer = stackalloc char[EmailNormalizer.MaxLength];
        Assert.False(EmailNormalizer.TryNormalize(input, buffer, out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryNormalize_LocalPartOf64_IsAcceptedAnd65_IsRejected()
    {
        Assert.NotNull(EmailNormalizer.Normalize(new string('a', 64) + "@example.com"));
        Assert.Null(EmailNormalizer.Normalize(new string('a', 65) + "@example.com"));
    }

    [Fact]
    public void TryNormalize_LabelOf64Chars_IsRejected()
    {
        Assert.NotNull(EmailNormalizer.Normalize("a@" + new string('b', 63) + ".com"));
        Assert.Null(EmailNormalizer.Normalize("a@" + new string('b', 64) + ".com"));
    }

    [Fact]
    public void TryNormalize_DomainOver255Chars_IsRejected()
    {
        var label = new string('d', 60);
        var domain = string.Join('.', label, label, label, label) + ".com"; // 248 chars
        Assert.NotNull(EmailNormalizer.Normalize("a@" + domain));
        Assert.Null(EmailNormalizer.Normalize("a@" + label + "." + domain));
    }

    [Fact]
    public void TryNormalize_ShortDestination_Throws()
    {
        var buffer = new char[10];
        Assert.Throws<ArgumentException>(() => EmailNormalizer.TryNormalize("a@example.com", buffer, out _));
    }

    [Fact]
    public void TryNormalize_AsciiAddress_DoesNotAllocate()
    {
        var input = "Some.Body+x@Example.COM".AsSpan();
        Span<char> buffer = stackalloc char[EmailNormalizer.MaxLength];
        EmailNormalizer.TryNormalize(input, buffer, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            EmailNormalizer.TryNormalize(input, buffer, out _);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void TopLevelDomains_BundledList_HasCommonAndIdnTlds()
    {
        Assert.True(TopLevelDomains.Count > 1000);
        Assert.True(TopLevelDomains.Contains("com"));
        Assert.True(TopLevelDomains.Contains("xn--p1ai"));
        Assert.False(TopLevelDomains.Contains("invalidtld"));
    }

    private const string LocalChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+.-";

    private static readonly Gen<string> LocalPart =
        from length in Gen.Choose(1, 70)
        from chars in Gen.ArrayOf(Gen.Elements(LocalChars.ToCharArray()), length)
        select new string(chars);

    private static readonly Gen<string> Label =
        from length in Gen.Choose(1, 12)
        from chars in Gen.ArrayOf(Gen.Elements("abcdefghijKLMNOPqrstuvwxyz0123456789-".ToCharArray()), length)
        select new string(chars);

    private static readonly Gen<string> Domain =
        from count in Gen.Choose(1, 3)
        from labels in Gen.ArrayOf(Label, count)
        from tld in Gen.Elements("com", "ORG", "de", "io", "xn--p1ai", "invalidtld", "c", "museum")
        select string.Join('.', labels.Append(tld));

    private static readonly Gen<string> PlausibleEmail =
        from local in LocalPart
        from domain in Domain
        from padding in Gen.Elements("", " ", "\t", "\u00A0")
        select padding + local + "@" + domain + padding;

    private static readonly Gen<char> RuleChars = Gen.Elements("abcXYZ09-.@_+".ToCharArray());

    // Printable ASCII without spaces, weighted towards the characters the rules turn on.
    private static readonly Gen<string> PrintableAscii =
        from length in Gen.Choose(0, 80)
        from chars in Gen.ArrayOf(
            Gen.OneOf(RuleChars, RuleChars, RuleChars, RuleChars, RuleChars, Gen.Choose(0x21, 0x7E).Select(c => (char)c)),
            length)
        select new string(chars);

    private static readonly Gen<string> AsciiInput = Gen.OneOf(
        from local in LocalPart from domain in Domain select local + "@" + domain,
        PrintableAscii,
        from local in LocalPart
        from domain in Domain
        from cut in Gen.Choose(0, 5)
        from insert in Gen.Elements(".", "@", "-", "..", "!", "A")
        select (local + "@" + domain).Insert(Math.Min(cut * 7, local.Length + domain.Length + 1), insert));

    /// <summary>The byte path of bulk checks gives exactly the char path's answer and address for printable ASCII.</summary>
    [Property(MaxTest = 5000)]
    public Property TryNormalizeAscii_AgreesWithTryNormalize() =>
        Prop.ForAll(AsciiInput.ToArbitrary(), input => AsciiAgrees(input));

    [Theory]
    [InlineData("a@b.com")]
    [InlineData("A.B+c_d-e@Sub.Example.COM")]
    [InlineData(".a@x.com")]
    [InlineData("a.@x.com")]
    [InlineData("a..b@x.com")]
    [InlineData("a@-x.com")]
    [InlineData("a@x-.com")]
    [InlineData("@x.com")]
    [InlineData("a@")]
    [InlineData("a@@x.com")]
    [InlineData("a@x.com@")]
    [InlineData("a@com")]
    [InlineData("a@.com")]
    [InlineData("a@x..com")]
    [InlineData("a@x.com.")]
    [InlineData("a@x.invalidtld")]
    [InlineData("a@x.XN--P1AI")]
    [InlineData("a!b@x.com")]
    [InlineData("a@x_y.com")]
    [InlineData("a@b.c")]
    public void TryNormalizeAscii_AgreesWithTryNormalize_OnEdges(string input) => Assert.True(AsciiAgrees(input));

    [Fact]
    public void TryNormalizeAscii_AgreesWithTryNormalize_AtTheLengthLimits()
    {
        foreach (var local in new[] { 63, 64, 65 })
        {
            Assert.True(AsciiAgrees(new string('a', local) + "@x.com"));
        }

        foreach (var label in new[] { 62, 63, 64 })
        {
            Assert.True(AsciiAgrees("a@" + new string('b', label) + ".com"));
        }

        foreach (var domain in new[] { 254, 255, 256 })
        {
            var body = string.Join('.', Enumerable.Repeat(new string('c', 50), 6))[..(domain - 4)];
            body = body.EndsWith('.') ? body[..^1] + "d" : body;
            Assert.True(AsciiAgrees("a@" + body + ".com"));
        }
    }

    private static bool AsciiAgrees(string input)
    {
        Span<char> chars = stackalloc char[EmailNormalizer.MaxLength];
        Span<byte> bytes = stackalloc byte[EmailNormalizer.MaxLength];
        var expected = EmailNormalizer.TryNormalize(input, chars, out var n);
        var actual = EmailNormalizer.TryNormalizeAscii(System.Text.Encoding.ASCII.GetBytes(input), bytes, out var m);
        return expected == actual && (!expected || System.Text.Encoding.ASCII.GetString(bytes[..m]) == new string(chars[..n]));
    }

    private static readonly Gen<string> AnyInput = Gen.OneOf(PlausibleEmail, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""));

    [Property(MaxTest = 2000)]
    public Property Normalize_IsIdempotent() =>
        Prop.ForAll(AnyInput.ToArbitrary(), input =>
        {
            var once = EmailNormalizer.Normalize(input);
            return once is null || EmailNormalizer.Normalize(once) == once;
        });

    [Property(MaxTest = 2000)]
    public Property Normalize_Output_IsLowercaseAscii() =>
        Prop.ForAll(AnyInput.ToArbitrary(), input =>
        {
            var output = EmailNormalizer.Normalize(input);
            return output is null || output.All(c => c < 128 && !char.IsAsciiLetterUpper(c) && !char.IsWhiteSpace(c));
        });

    [Property(MaxTest = 2000)]
    public Property Normalize_ValidOutput_Revalidates() =>
        Prop.ForAll(PlausibleEmail.ToArbitrary(), input =>
        {
            var output = EmailNormalizer.Normalize(input);
            if (output is null)
                return true;
            var at = output.IndexOf('@');
            var local = output[..at];
            return at is >= 1 and <= 64 && output.Length <= EmailNormalizer.MaxLength
                && !local.StartsWith('.') && !local.EndsWith('.') && !local.Contains("..")
                && TopLevelDomains.Contains(output.AsSpan(output.LastIndexOf('.') + 1))
                && EmailNormalizer.Normalize(output.ToUpperInvariant()) == output;
        });

    [Property(MaxTest = 500)]
    public Property Normalize_LocalPartOver64_IsRejected() =>
        Prop.ForAll(Gen.Choose(65, 200).ToArbitrary(), length =>
            EmailNormalizer.Normalize(new string('x', length) + "@example.com") is null);

    [Property(MaxTest = 3000)]
    public Property TryNormalize_Garbage_NeverThrows() =>
        Prop.ForAll(ArbMap.Default.ArbFor<string>(), input =>
        {
            Span<char> buffer = stackalloc char[EmailNormalizer.MaxLength];
            EmailNormalizer.TryNormalize(input ?? "", buffer, out var written);
            return written <= EmailNormalizer.MaxLength;
        });
}
