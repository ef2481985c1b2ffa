using Leakwatch.Storage.Retention;

namespace Leakwatch.Passwords;

/// <summary>Tuning for <see cref="PasswordIngest"/>.</summary>
public sealed record PasswordIngestOptions
{
    /// <summary>Bytes of (hash, count) records held in memory before a sorted run is spilled (shared by both modes in plain mode).</summary>
    public long RunBytes { get; init; } = 256L << 20;

    /// <summary>How long the files a publish replaces stay on disk; null is <see cref="GenerationRetention.Default"/>.</summary>
    public GenerationRetention? Retention { get; init; }

    /// <summary>Called at named points of the ingest; tests throw from it to simulate a kill.</summary>
    internal Action<string>? KillPoint { get; init; }
}
