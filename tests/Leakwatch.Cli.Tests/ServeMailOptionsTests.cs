namespace Leakwatch.Cli.Tests;

/// <summary>The mail options of <c>serve</c> fail at start, on one line naming the option, never echoing a password.</summary>
public sealed class ServeMailOptionsTests
{
    [Theory]
    [InlineData("alice:hunter2secret@mail.example", null, "leakwatch: error: --smtp: 'alice:***@mail.example' is not an SMTP URL")]
    [InlineData("smtp://alice:hunter2secret@mail.example:99999", null, "leakwatch: error: --smtp: 'smtp://alice:***@mail.example:99999'")]
    [InlineData("smtp://alice:hunter2secret@mail.example", "ssl", "leakwatch: error: --smtp-tls: 'ssl' is not one of none, starttls, tls")]
    public void BadMailOption_IsAUsageError_WithoutThePassword(string smtp, string? tls, string expected)
    {
        using var dir = new TempDir();
        string[] args = [.. dir.Dirs, "serve", "--smtp", smtp, "--mail-from", "alerts@leakwatch.example", "--public-url", "https://leakwatch.example"];
        var result = LeakwatchProcess.Run(tls is null ? args : [.. args, "--smtp-tls", tls]);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Smtp_WithoutPublicUrl_NamesIt()
    {
        using var dir = new TempDir();
        var result = LeakwatchProcess.Run([.. dir.Dirs, "serve", "--smtp", "smtp://127.0.0.1:2525", "--mail-from", "alerts@leakwatch.example"]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("leakwatch: error: --public-url: is required with --smtp", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    public void DeliveryConcurrency_OutOfRange_NamesTheOption(string value)
    {
        using var dir = new TempDir();
        var result = LeakwatchProcess.Run([.. dir.Dirs, "serve", "--delivery-concurrency", value]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"leakwatch: error: --delivery-concurrency: {value} is not between 1 and 256", Assert.Single(result.StderrLines),
            StringComparison.Ordinal);
    }
}
