using System.Text;
using Leakwatch.Reading.Ulp;

namespace Leakwatch.Reading.Tests;

/// <summary>Stealer-log lines as real logs write them: each layout, schemes and none, android apps, ports, pipes,
/// passwords holding the separators, and every reason a line is skipped.</summary>
public sealed class UlpLineParserTests
{
    [Theory]
    [InlineData("https://www.Netflix.com/login:alice@example.com:hunter2", "alice@example.com", "hunter2", "netflix.com", UlpLayout.UrlFirst)]
    [InlineData("https://accounts.google.com/signin/v2/identifier?flow=x:bob@gmail.com:p:a:s:s", "bob@gmail.com", "p:a:s:s", "accounts.google.com", UlpLayout.UrlFirst)]
    [InlineData("http://localhost:8080/admin:root:toor", "root", "toor", "localhost", UlpLayout.UrlFirst)]
    [InlineData("https://shop.example.com:8443:carol@example.com:pw", "carol@example.com", "pw", "shop.example.com", UlpLayout.UrlFirst)]
    [InlineData("android://8AESNDcEYm_hT7ix-3f7nu/zAwfnmr6gx==@com.instagram.android/:dave@example.com:s3cret", "dave@example.com", "s3cret", "com.instagram.android", UlpLayout.UrlFirst)]
    [InlineData("www.facebook.com:erin@example.com:pass word ", "erin@example.com", "pass word ", "facebook.com", UlpLayout.UrlFirst)]
    [InlineData("netflix.com/login|frank@example.com|pa|ss:1", "frank@example.com", "pa|ss:1", "netflix.com", UlpLayout.UrlFirst)]
    [InlineData("site.org:12345:username:pw", "username", "pw", "site.org", UlpLayout.UrlFirst)]
    [InlineData("site.org:12345:pw", "12345", "pw", "site.org", UlpLayout.UrlFirst)]
    [InlineData("grace@example.com:pa:ss:https://login.live.com/oauth", "grace@example.com", "pa:ss", "login.live.com", UlpLayout.LoginFirst)]
    [InlineData("heidi@example.com|secret|www.Spotify.com", "heidi@example.com", "secret", "spotify.com", UlpLayout.LoginFirst)]
    [InlineData("ivan:qwerty:steamcommunity.com/login", "ivan", "qwerty", "steamcommunity.com", UlpLayout.LoginFirst)]
    [InlineData("judy@example.com:pw:android://hash==@com.whatsapp/", "judy@example.com", "pw", "com.whatsapp", UlpLayout.LoginFirst)]
    [InlineData("  https://x.example/ : mallory@example.com : pw\r", "mallory@example.com", " pw", "x.example", UlpLayout.UrlFirst)]
    [InlineData("https://accounts.google.com/ServiceLogin?continue=https://mail.google.com/mail/:kate@gmail.com:pw", "kate@gmail.com", "pw", "accounts.google.com", UlpLayout.UrlFirst)]
    [InlineData("https://site.com/path?q=a:b:grace@example.com:pw7", "grace@example.com", "pw7", "site.com", UlpLayout.UrlFirst)]
    [InlineData("https://site.com/a?at=10:30|leo@example.com|p|w", "leo@example.com", "p|w", "site.com", UlpLayout.UrlFirst)]
    [InlineData("https://sso.example.com/login?next=https://app.example.com/home:username1:secret", "username1", "secret", "sso.example.com", UlpLayout.UrlFirst)]
    [InlineData("https://site.com/login:john:p@ss:word", "john", "p@ss:word", "site.com", UlpLayout.UrlFirst)]
    public void TryParse_RealShapes_SplitsUrlLoginPasswordAndDomain(string line, string login, string password, string domain, UlpLayout layout)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        Assert.Equal(UlpProblem.None, UlpLineParser.TryParse(bytes, out var parsed));
        Assert.Equal(login, Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Login]));
        Assert.Equal(password, Encoding.UTF8.GetString(bytes.AsSpan()[parsed.Password]));
        Assert.Equal(domain, Domain(bytes, parsed));
        Assert.Equal(layout, parsed.Layout);
    }

    [Theory]
    [InlineData("just some text", UlpProblem.NoSeparator)]
    [InlineData("https://example.com/only-a-url", UlpProblem.NoSeparator)]
    [InlineData("https://example.com:alice@example.com", UlpProblem.NoSeparator)]
    [InlineData("https://example.com::password", UlpProblem.NoLogin)]
    [InlineData("https://example.com: :password", UlpProblem.NoLogin)]
    [InlineData("https://example.com:alice@example.com:", UlpProblem.EmptyPassword)]
    [InlineData("alice@example.com::example.com", UlpProblem.EmptyPassword)]
    [InlineData("foo:bar:baz", UlpProblem.NoUrl)]
    [InlineData("https://:alice@example.com:pw", UlpProblem.NoUrl)]
    [InlineData("https://exa mple.com:alice@example.com:pw", UlpProblem.NoUrl)]
    [InlineData("https://example.com:alice@example.com:p\u0001w", UlpProblem.Binary)]
    [InlineData("https://example.com:alice@example.com:p\uFFFDw", UlpProblem.Binary)]
    public void TryParse_BadLines_NameTheirReason(string line, UlpProblem expected) =>
        Assert.Equal(expected, UlpLineParser.TryParse(Encoding.UTF8.GetBytes(line), out _));

    [Fact]
    public void TryParse_OverLongLine_IsTooLong()
    {
        var line = "https://example.com:alice@example.com:" + new string('x', UlpLineParser.MaxLineBytes);
        Assert.Equal(UlpProblem.TooLong, UlpLineParser.TryParse(Encoding.UTF8.GetBytes(line), out _));
    }

    [Fact]
    public void TryParse_NulByte_IsBinary() =>
        Assert.Equal(UlpProblem.Binary, UlpLineParser.TryParse("https://a.com:b@c.com:p\0w"u8, out _));

    internal static string Domain(byte[] line, UlpLine parsed)
    {
        var buffer = new byte[UlpLineParser.MaxLineBytes];
        return Encoding.UTF8.GetString(buffer, 0, UlpLineParser.WriteDomain(line, parsed, buffer));
    }
}
