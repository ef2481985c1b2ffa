using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Core;

namespace Leakwatch.Core.Tests;

public class DomainNameNormalizerTests
{
    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData(" example.com. ", "example.com")]
    [InlineData("MÜLLER.de", "xn--mller-kva.de")]
    [InlineData("пример.рф", "xn--e1afmkfd.xn--p1ai")]
    [InlineData("xn--mller-kva.de", "xn--mller-kva.de")]
    [InlineData("mail.sub.example.co.uk", "mail.sub.example.co.uk")]
    public void TryNormalize_ValidDomain_ReturnsCanonicalForm(string input, string expected)
    {
        Assert.True(DomainNameNormalizer.TryNormalize(input, out var domain, out var error), error);
        Assert.Equal(expected, domain);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("192.0.2.1", "an IP address is not a domain name")]
    [InlineData("[2001:db8::1]", "an IP address is not a domain name")]
    [InlineData("2001:db8::1", "an IP address is not a domain name")]
    [InlineData("localhost", "a single label is not a domain name (e.g. example.com)")]
    [InlineData("example", "a single label is not a domain name (e.g. example.com)")]
    [InlineData("exa mple.com", "not a valid domain name (letters, digits and hyphens in dot-separated labels)")]
    [InlineData("a..com", "not a valid domain name (letters, digits and hyphens in dot-separated labels)")]
    [InlineData("-a.com", "not a valid domain name (letters, digits and hyphens in dot-separated labels)")]
    [InlineData("under_score.com", "not a valid domain name (letters, digits and hyphens in dot-separated labels)")]
    [InlineData("user@example.com", "not a valid domain name (letters, digits and hyphens in dot-separated labels)")]
    [InlineData("example.invalidtld", "'invalidtld' is not a top-level domain IANA has delegated")]
    [InlineData("10.0.0", "an IP address is not a domain name")]
    public void TryNormalize_InvalidDomain_SaysWhyInOneLine(string input, string expected)
    {
        Assert.False(DomainNameNormalizer.TryNormalize(input, out _, out var error));
        Assert.Equal(expected, error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void TryNormalize_LabelOver63_OrNameOver253_IsRefused()
    {
        Assert.False(DomainNameNormalizer.TryNormalize(new string('a', 64) + ".com", out _, out _));
        Assert.True(DomainNameNormalizer.TryNormalize(new string('a', 63) + ".com", out _, out _));
        var label = new string('a', 60);
        Assert.False(DomainNameNormalizer.TryNormalize($"{label}.{label}.{label}.{label}.{label}.com", out _, out _));
    }

    private static readonly Gen<string> Label = Gen.Elements("a", "B", "ü", "x1", "mail", "Ex-Ample", "пример", "9", "_", "-", "");

    private static readonly Gen<string> AnyDomain = Gen.OneOf(
        Gen.ListOf(Label).Select(ls => string.Join('.', ls) + "." + "com"),
        Gen.ListOf(Label).Select(ls => string.Join('.', ls)),
        ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""));

    [Property(MaxTest = 2000)]
    public Property Normalize_IsIdempotent_AndLowercaseAscii() =>
        Prop.ForAll(AnyDomain.ToArbitrary(), input =>
        {
            var once = DomainNameNormalizer.Normalize(input);
            return once is null || (DomainNameNormalizer.Normalize(once) == once && once.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.'));
        });
}
