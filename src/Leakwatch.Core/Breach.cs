namespace Leakwatch.Core;

/// <summary>A breach as HIBP describes one, plus the ingest statistics Leakwatch keeps for it.</summary>
public sealed record Breach
{
    public int Id { get; init; }
    public required string Name { get; init; }
    public required string Title { get; init; }
    public string Domain { get; init; } = "";
    public DateOnly BreachDate { get; init; }
    public DateTimeOffset AddedDate { get; init; }
    public DateTimeOffset ModifiedDate { get; init; }
    public long PwnCount { get; init; }
    public string Description { get; init; } = "";
    public string LogoPath { get; init; } = "";
    public IReadOnlyList<string> DataClasses { get; init; } = [];
    public bool IsVerified { get; init; }
    public bool IsFabricated { get; init; }
    public bool IsSensitive { get; init; }
    public bool IsRetired { get; init; }
    public bool IsSpamList { get; init; }
    public bool IsMalware { get; init; }
    public bool IsSubscriptionFree { get; init; }
    public bool IsStealerLog { get; init; }

    /// <summary>The ingest statistics as JSON (aggregates only, never an identifier).</summary>
    public string? StatsJson { get; init; }
}
