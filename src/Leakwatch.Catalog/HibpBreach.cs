using System.Globalization;
using Leakwatch.Core;

namespace Leakwatch.Catalog;

/// <summary>A breach in HIBP API v3's wire shape: field names, order and date formats as haveibeenpwned.com.</summary>
public sealed class HibpBreach
{
    public string Name { get; init; } = "";
    public string Title { get; init; } = "";
    public string Domain { get; init; } = "";
    /// <summary>yyyy-MM-dd.</summary>
    public string BreachDate { get; init; } = "";
    /// <summary>ISO 8601 UTC with a trailing Z, seconds precision.</summary>
    public string AddedDate { get; init; } = "";
    public string ModifiedDate { get; init; } = "";
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

    public static HibpBreach From(Breach b) => new()
    {
        Name = b.Name,
        Title = b.Title,
        Domain = b.Domain,
        BreachDate = b.BreachDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        AddedDate = b.AddedDate.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ModifiedDate = b.ModifiedDate.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        PwnCount = b.PwnCount,
        Description = b.Description,
        LogoPath = b.LogoPath,
        DataClasses = b.DataClasses,
        IsVerified = b.IsVerified,
        IsFabricated = b.IsFabricated,
        IsSensitive = b.IsSensitive,
        IsRetired = b.IsRetired,
        IsSpamList = b.IsSpamList,
        IsMalware = b.IsMalware,
        IsSubscriptionFree = b.IsSubscriptionFree,
        IsStealerLog = b.IsStealerLog,
    };
}
