using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server.Tests;

/// <summary>Everything the server logs during many lookups, scanned for every account used, in every form.</summary>
[Collection(ServerCollection.Name)]
public class LogPrivacyTests(ServerFixture f)
{
    private static IEnumerable<string> Forms(string text)
    {
        yield return text;
        var bytes = Encoding.UTF8.GetBytes(text);
        foreach (var hash in new[] { SHA1.HashData(bytes), SHA256.HashData(bytes), MD5.HashData(bytes) })
        {
            yield return Convert.ToHexStringLower(hash);
            yield return Convert.ToHexString(hash);
            yield return Convert.ToBase64String(hash);
        }
    }

    [Fact]
    public async Task Logs_ServerRunWithManyLookups_NeverContainAnAccount()
    {
        var logs = new CapturingLoggerProvider();
        var clock = new ManualTimeProvider();
        var typed = new List<string>();
        var normalized = new List<string>();
        await using (var server = await RunningServer.StartAsync(f.Options() with { TimeProvider = clock, ConfigureLogging = l => l.AddProvider(logs) }))
        {
            using var c = server.Client(f.LogKey);
            var emails = f.Alpha.Emails!.Take(60).Concat(Enumerable.Range(0, 20).Select(i => $"absent.person{i}@example.com")).ToList();
            var phones = f.Beta.Phones!.Take(60).ToList();
            foreach (var e in emails)
            {
                typed.Add(" " + e.ToUpperInvariant());
                normalized.Add(e);
            }

            foreach (var p in phones)
            {
                var digits = p.ToString(CultureInfo.InvariantCulture);
                typed.Add(digits);
                typed.Add("+" + digits[..2] + " " + digits[2..]);
                normalized.Add(digits);
                normalized.Add("+" + digits);
            }

            typed.Add("definitely-not-valid-account");
            typed.Add("multiple-breaches@hibp-integration-tests.com");
            // A walk, so the audit log has something to say.
            var run = f.Alpha.LongestPlantedRun!;
            for (var i = 0; i < 60; i++)
            {
                var p = run.Start + (ulong)i;
                typed.Add("+" + p.ToString(CultureInfo.InvariantCulture));
                normalized.Add(p.ToString(CultureInfo.InvariantCulture));
            }

            foreach (var account in typed)
            {
                await c.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(account) + "?truncateResponse=false");
                clock.Advance(TimeSpan.FromSeconds(1));
            }

            using var noUa = server.Client(f.LogKey, userAgent: null);
            await noUa.GetAsync("/api/v3/breachedaccount/" + Uri.EscapeDataString(emails[0]));
        }

        var text = string.Join('\n', logs.Lines);
        Assert.Contains("Serving index generation", text, StringComparison.Ordinal);
        Assert.Contains("enumeration block", text, StringComparison.Ordinal);
        var leaks = typed.Concat(normalized).Select(a => a.Trim()).Concat(normalized.Select(a => a.ToLowerInvariant()))
            .Distinct().SelectMany(Forms).Where(form => text.Contains(form, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Empty(leaks);
        Assert.DoesNotContain(f.LogKey, text, StringComparison.OrdinalIgnoreCase);
    }
}
