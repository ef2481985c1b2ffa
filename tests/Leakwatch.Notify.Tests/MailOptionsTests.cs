using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Core.Errors;
using Leakwatch.Notify.Mail;

namespace Leakwatch.Notify.Tests;

public sealed class MailOptionsTests
{
    private const string From = "alerts@leakwatch.example";
    private const string Public = "https://leakwatch.example/";

    [Property(MaxTest = 300)]
    public bool SmtpUrl_RoundTrips_UserPasswordHostAndPort(NonEmptyString user, NonEmptyString password, PositiveInt hostNumber, PositiveInt portNumber)
    {
        var port = portNumber.Get % 65535 + 1;
        var host = $"mail{hostNumber.Get}.example";
        var url = $"smtp://{Uri.EscapeDataString(user.Get)}:{Uri.EscapeDataString(password.Get)}@{host}:{port}";
        var options = MailOptions.Parse(url, "starttls", From, Public)!;
        return options.Host == host && options.Port == port && options.UserName == user.Get && options.Password == password.Get
            && options.Tls == SmtpTlsMode.StartTls && options.PublicUrl == "https://leakwatch.example"
            && !options.ToString().Contains(":" + Uri.EscapeDataString(password.Get) + "@", StringComparison.Ordinal);
    }

    [Property(MaxTest = 500)]
    public void Garbage_IsEitherASmtpUrl_OrOneLineNamingSmtp(string value)
    {
        try
        {
            MailOptions.Parse(value, null, From, Public);
        }
        catch (LeakwatchException e)
        {
            Assert.Equal(ErrorKind.Usage, e.Kind);
            Assert.StartsWith("--smtp", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\r', e.Message);
        }
    }

    [Property(MaxTest = 300)]
    public void ABadUrl_NeverEchoesItsPassword(NonEmptyString secret, int badPart)
    {
        var password = "Pw" + secret.Get.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);
        var broken = Math.Abs(badPart % 4) switch
        {
            0 => "mail.example:99999",
            1 => "mail.example:25/path",
            2 => "",
            _ => "mail.example:25?x=1",
        };
        foreach (var url in new[] { $"smtp://user:{password}@{broken}", $"user:{password}@{broken}", $"http://user:{password}@{broken}" })
        {
            var e = Assert.Throws<LeakwatchException>(() => MailOptions.Parse(url, null, From, Public));
            Assert.DoesNotContain(password, e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("smtp://127.0.0.1", SmtpTlsMode.None, 25)]
    [InlineData("smtp://localhost:2525", SmtpTlsMode.None, 2525)]
    [InlineData("smtp://[::1]", SmtpTlsMode.None, 25)]
    [InlineData("smtp://mail.example", SmtpTlsMode.StartTls, 587)]
    [InlineData("smtp://mail.example:465", SmtpTlsMode.Tls, 465)]
    [InlineData("smtps://mail.example", SmtpTlsMode.Tls, 465)]
    public void Defaults_PlainForLoopback_StartTlsOtherwise_TlsOn465(string url, SmtpTlsMode tls, int port)
    {
        var options = MailOptions.Parse(url, null, From, Public)!;
        Assert.Equal(tls, options.Tls);
        Assert.Equal(port, options.Port);
        Assert.Null(options.UserName);
    }

    [Theory]
    [InlineData("smtp://mail.example", "ssl", null, Public, "--smtp-tls: 'ssl'")]
    [InlineData("smtp://mail.example", null, null, Public, "--mail-from: is required")]
    [InlineData("smtp://mail.example", null, "not an address", Public, "--mail-from: 'not an address'")]
    [InlineData("smtp://mail.example", null, From, null, "--public-url: is required")]
    [InlineData("smtp://mail.example", null, From, "ftp://leakwatch.example", "--public-url: 'ftp://leakwatch.example'")]
    [InlineData("smtps://mail.example", "none", From, Public, "--smtp-tls: 'none' contradicts")]
    [InlineData("smtp://:secret@mail.example", null, From, Public, "--smtp: 'smtp://:***@mail.example' has a password but no user")]
    public void BadValues_AreOneLineErrorsNamingTheOption(string smtp, string? tls, string? from, string? publicUrl, string expected)
    {
        var e = Assert.Throws<LeakwatchException>(() => MailOptions.Parse(smtp, tls, from, publicUrl));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSmtp_IsNoMail()
    {
        Assert.Null(MailOptions.Parse(null, null, null, null));
        Assert.Null(MailOptions.Parse("  ", "tls", From, Public));
    }

    [Fact]
    public void ToString_AndDisplay_LeaveThePasswordOut()
    {
        var options = MailOptions.Parse("smtp://alerts%40corp:hunter2hunter2@mail.example:587", null, "Leakwatch <alerts@leakwatch.example>", Public)!;
        Assert.Equal("alerts@corp", options.UserName);
        Assert.Equal("hunter2hunter2", options.Password);
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", options.Display, StringComparison.Ordinal);
        Assert.Equal("leakwatch.example", options.MessageIdDomain);
    }
}
