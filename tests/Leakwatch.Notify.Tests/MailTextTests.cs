using Leakwatch.Notify.Mail;

namespace Leakwatch.Notify.Tests;

public sealed class MailTextTests
{
    [Theory]
    [InlineData("In 2026, <a href=\"https://x.example\">X</a> was breached.", "In 2026, X was breached.")]
    [InlineData("Fish &amp; chips &lt;b&gt;", "Fish & chips <b>")]
    [InlineData("a<!-- <b>hidden</b> -->b", "a b")]
    [InlineData("line\r\n  break\tand <br/>tag", "line break and tag")]
    [InlineData("a<script>alert(1)</script>b<STYLE>p{}</style >c", "a b c")]
    [InlineData("x<script>never closed", "x")]
    [InlineData("unclosed <b", "unclosed")]
    public void FromHtml_DropsTags_DecodesEntities_CollapsesSpace(string html, string text) =>
        Assert.Equal(text, MailText.FromHtml(html));

    [Fact]
    public void Html_EncodesWhatTheCatalogueDecodedTo()
    {
        var content = new MailContent
        {
            Subject = "s",
            Preheader = "p",
            Heading = "h",
            Breach = new BreachFacts("T", "1 January 2026", "2 January 2026", "10", ["Passwords"],
                MailText.FromHtml("&lt;script&gt;alert(1)&lt;/script&gt;"), "https://leakwatch.example/breaches/T/report?a=1&b=2"),
            Footer = "f",
        };
        var html = MailHtml.Render(content);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)", html, StringComparison.Ordinal);
        Assert.Contains("report?a=1&amp;b=2", html, StringComparison.Ordinal);
        Assert.Contains("<script>alert(1)</script>", MailText.Render(content), StringComparison.Ordinal);
    }
}
