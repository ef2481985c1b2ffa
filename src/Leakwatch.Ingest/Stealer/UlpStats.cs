using System.Text.Json.Serialization;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Stealer;

/// <summary>What a stealer-log ingest (`--format ulp`) counted. Aggregates only.</summary>
public sealed class UlpStats
{
    /// <summary>Non-blank lines: credentials read plus bad lines.</summary>
    [JsonPropertyName("lines")] public long Lines { get; set; }
    /// <summary>Lines whose login is a valid email: indexed, with their website recorded.</summary>
    [JsonPropertyName("emailsIndexed")] public long EmailsIndexed { get; set; }
    /// <summary>Lines whose login is a username (no '@'): not indexed; the password still counts.</summary>
    [JsonPropertyName("usernamesSkipped")] public long UsernamesSkipped { get; set; }
    /// <summary>Lines whose login has an '@' but is not a valid email: not indexed; the password still counts.</summary>
    [JsonPropertyName("invalidEmails")] public long InvalidEmails { get; set; }
    /// <summary>Passwords added to the Pwned Passwords store (SHA-1 and NTLM, count 1 each).</summary>
    [JsonPropertyName("passwords")] public long Passwords { get; set; }
    /// <summary>Emails in the website store after this ingest.</summary>
    [JsonPropertyName("websiteEntries")] public long WebsiteEntries { get; set; }
    /// <summary>Pages in the store by email domain after this ingest.</summary>
    [JsonPropertyName("emailDomainPages")] public long EmailDomainPages { get; set; }
    /// <summary>Pages in the store by website domain after this ingest.</summary>
    [JsonPropertyName("websitePages")] public long WebsitePages { get; set; }
    /// <summary>Distinct website domains in this ingest.</summary>
    [JsonPropertyName("websiteDomains")] public long WebsiteDomains { get; set; }
    /// <summary>Seconds spent writing the next generation of the three stealer-log stores, side by side (part of the merge phase).</summary>
    [JsonPropertyName("websiteSeconds")] public double WebsiteSeconds { get; set; }
    /// <summary>Seconds spent merging the hashed passwords into the password store's next files (part of the merge phase).</summary>
    [JsonPropertyName("passwordSeconds")] public double PasswordSeconds { get; set; }
    /// <summary>Lines skipped, by reason: no-separator, no-login, empty-password, no-url, binary, too-long.</summary>
    [JsonPropertyName("badLines")] public SortedDictionary<string, long> BadLines { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Counts a reader problem under its reason; the byte guard's own (NUL bytes, over-long rows) map to
    /// binary and too-long. A file-level problem (line 0) is not a line.</summary>
    public void Count(RowProblem problem)
    {
        if (problem.LineNumber <= 0)
        {
            return;
        }

        var reason = problem.Reason
            ?? (problem.Message.StartsWith("row longer", StringComparison.Ordinal) ? "too-long" : "binary");
        BadLines[reason] = BadLines.GetValueOrDefault(reason) + 1;
        Lines++;
    }
}
