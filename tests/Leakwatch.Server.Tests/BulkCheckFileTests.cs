using System.Diagnostics;
using System.Text;

namespace Leakwatch.Server.Tests;

/// <summary><c>leakwatch check --file</c>, the real CLI on generated data: exact NDJSON, in input order.</summary>
[Collection(BulkCollection.Name)]
public class BulkCheckFileTests(BulkFixture f)
{
    private LeakwatchProcess.Result Check(params string[] args) => LeakwatchProcess.Run([.. f.Dir.Dirs, "check", .. args]);

    [Fact]
    public void CheckFile_BomCrlfBlankInvalidOptedOut_ExactNdjsonInOrder()
    {
        var a = new BulkAccounts(f);
        var file = f.Dir.File("mixed.txt");
        // BOM, CRLF and LF mixed, blank and whitespace-only lines, padding, and no newline after the last line.
        var text = "\uFEFF" + a.AlphaOnly + "\r\n" + "\r\n" + "  " + a.Both + " \r\n" + a.BetaOnly + "\n" + a.Phone + "\r\n" +
            BulkAccounts.Invalid + "\r\n" + " \t \r\n" + BulkAccounts.Unknown + "\n" + a.OptedOut;
        File.WriteAllText(file, text, new UTF8Encoding(false));

        var r = Check("--file", file);

        Assert.Equal(Leakwatch.Cli.ExitCodes.Usage, r.ExitCode); // an invalid line, as for arguments
        Assert.Equal("", r.Stderr);
        string[] expected =
        [
            $$"""{"account":"{{a.AlphaOnly}}","breaches":["Alpha"]}""",
            $$"""{"account":"{{a.Both}}","breaches":["Alpha","Beta"]}""",
            $$"""{"account":"{{a.BetaOnly}}","breaches":["Beta"]}""",
            $$"""{"account":"{{a.Phone}}","breaches":{{BulkAccounts.Names(a.PhoneNames)}}}""",
            """{"account":"not an account","breaches":[],"error":"line 6: not a valid email address or phone number"}""",
            """{"account":"nobody.bulk@example.com","breaches":[]}""",
            $$"""{"account":"{{a.OptedOut}}","breaches":["Alpha"],"optedOut":true}""",
        ];
        Assert.Equal(string.Join('\n', expected) + "\n", r.Stdout);
    }

    [Fact]
    public void CheckFile_EveryGeneratedAccountManyBlocks_AnswersAsTheTruthInOrder()
    {
        // Every email and phone of both dumps, shuffled, repeated until the input spans several 1 MiB blocks.
        var rng = new Random(7);
        var accounts = f.Alpha.Emails!.Concat(f.Beta.Emails!).Distinct().Select(e => (Account: e, Names: f.Expected(e)))
            .Concat(f.Alpha.Phones!.Concat(f.Beta.Phones!).Distinct().Select(p => (Account: BulkFixture.Plus(p), Names: f.Expected(p))))
            .OrderBy(_ => rng.Next()).ToList();
        var input = new StringBuilder();
        var expected = new StringBuilder();
        for (var round = 0; input.Length < 2_500_000; round++)
        {
            foreach (var (account, names) in accounts)
            {
                input.Append(account).Append('\n');
                expected.Append("{\"account\":\"").Append(account).Append("\",\"breaches\":").Append(BulkAccounts.Names(names))
                    .Append(account == f.OptedOut ? ",\"optedOut\":true}" : "}").Append('\n');
            }
        }

        var file = f.Dir.File("all.txt");
        File.WriteAllText(file, input.ToString(), new UTF8Encoding(false));

        var r = Check("--file", file);

        Assert.Equal(Leakwatch.Cli.ExitCodes.Found, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.True(expected.ToString() == r.Stdout, "check --file output differs from the truth");
    }

    /// <summary>Most lines take the byte path (printable-ASCII emails normalised and hashed as UTF-8, in groups of 16
    /// with prefetching); the rest are decoded as before. Both must answer as <c>check --json</c> does for the same
    /// accounts given as arguments, whatever their case, shape or place in a group.</summary>
    [Fact]
    public void CheckFile_ByteAndCharPaths_AnswerAsCheckJsonArguments()
    {
        var a = new BulkAccounts(f);
        string[] shapes =
        [
            a.AlphaOnly, a.AlphaOnly.ToUpperInvariant(), a.Both.ToUpperInvariant(), a.BetaOnly, a.Phone, BulkAccounts.Unknown,
            "Nobody.Bulk@EXAMPLE.COM", "nobody@bücher.example", "nobody@xn--bcher-kva.example", "a..b@example.com",
            ".a@example.com", "a@example.invalidtld", "a\"b@example.com", "a@@example.com", "nobody@example.com.",
            "Äbc@example.com", a.OptedOut, BulkAccounts.Invalid, "a@b.c", "x+tag@Example.Org",
        ];
        var accounts = shapes.Concat(shapes.Reverse()).Concat(shapes.Skip(5)).ToArray();
        var file = f.Dir.File("paths.txt");
        File.WriteAllText(file, string.Join('\n', accounts) + "\n", new UTF8Encoding(false));

        var bulk = Check("--file", file).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var single = Check(["--json", .. accounts]).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(accounts.Length, bulk.Length);
        Assert.Equal(accounts.Length, single.Length);
        for (var i = 0; i < accounts.Length; i++)
        {
            // Arguments have no line numbers: an invalid one's error names none.
            var expected = single[i].Replace("\"error\":\"", $"\"error\":\"line {i + 1}: ", StringComparison.Ordinal);
            Assert.Equal(expected, bulk[i]);
        }
    }

    [Fact]
    public async Task CheckFile_Stdin_SameAsFile()
    {
        var a = new BulkAccounts(f);
        var psi = LeakwatchProcess.StartInfo([.. f.Dir.Dirs, "check", "--file", "-"]);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(a.Both + "\r\n\r\n" + BulkAccounts.Unknown + "\r\n");
        p.StandardInput.Close();
        LeakwatchProcess.WaitForExitOrKill(p, TimeSpan.FromMinutes(2));

        Assert.Equal("", await stderr);
        Assert.Equal($$"""
            {"account":"{{a.Both}}","breaches":["Alpha","Beta"]}
            {"account":"nobody.bulk@example.com","breaches":[]}

            """.ReplaceLineEndings("\n"), await stdout);
        Assert.Equal(Leakwatch.Cli.ExitCodes.Found, p.ExitCode);
    }

    [Fact]
    public void CheckFile_MissingFile_OneLineErrorNamingIt()
    {
        var missing = f.Dir.File("no-such-accounts.txt");

        var r = Check("--file", missing);

        Assert.Equal(Leakwatch.Cli.ExitCodes.BadInput, r.ExitCode);
        var line = Assert.Single(r.StderrLines);
        Assert.StartsWith("leakwatch: error: " + missing + ": cannot read", line, StringComparison.Ordinal);
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void CheckFile_WithAccountArguments_OneLineUsageError()
    {
        var file = f.Dir.File("one.txt");
        File.WriteAllText(file, BulkAccounts.Unknown);

        var r = Check("--file", file, BulkAccounts.Unknown);

        Assert.Equal(Leakwatch.Cli.ExitCodes.Usage, r.ExitCode);
        Assert.Equal("leakwatch: error: --file and account arguments are mutually exclusive: give one or the other", Assert.Single(r.StderrLines));
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void CheckFile_WithPrivate_Refused()
    {
        var file = f.Dir.File("one-private.txt");
        File.WriteAllText(file, BulkAccounts.Unknown);

        var r = Check("--file", file, "--private");

        Assert.Equal(Leakwatch.Cli.ExitCodes.Usage, r.ExitCode);
        Assert.Contains("--private cannot be combined with --file", Assert.Single(r.StderrLines), StringComparison.Ordinal);
    }
}
