namespace Leakwatch.Passwords;

/// <summary>Tuning for <see cref="PasswordIngest"/>.</summary>
public sealed record PasswordIngestOptions
{
    /// <summary>Bytes of (hash, count) records held in memory before a sorted run is spilled (shared by both modes in plain mode).</summary>
    public long RunBytes { get; init; } = 256L << 20;

    /// <summary>Called at named points of the ingest; tests throw from it to simulate a kill.</summary>
    internal Action<string>? KillPoint { get; init; }
}
