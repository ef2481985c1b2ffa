namespace Leakwatch.Passwords;

/// <summary>What an ingest read and published.</summary>
public sealed record PasswordIngestStats
{
    /// <summary>sha1, ntlm or plain.</summary>
    public required string Mode { get; init; }

    public int Files { get; init; }

    /// <summary>Lines read, including blank and malformed ones.</summary>
    public long Lines { get; init; }

    public long ValidLines { get; init; }

    public long BlankLines { get; init; }

    public long MalformedLines { get; init; }

    /// <summary>The first few malformed lines as <c>file:line: reason</c>; never the line's content.</summary>
    public IReadOnlyList<string> MalformedSamples { get; init; } = [];

    /// <summary>Sum of the counts read (per hash kind; in plain mode the number of passwords).</summary>
    public long CountAdded { get; init; }

    public long NewSha1Hashes { get; init; }

    public long NewNtlmHashes { get; init; }

    /// <summary>Distinct hashes in the published store after the ingest.</summary>
    public long Sha1Hashes { get; init; }

    public long NtlmHashes { get; init; }

    public int SpilledRuns { get; init; }

    public long Generation { get; init; }

    public double Seconds { get; init; }
}
