using Leakwatch.Core;

namespace Leakwatch.Ingest.Phases;

/// <summary>The catalogue record of the breach being ingested, as the options and the read describe it.</summary>
internal static class NewBreach
{
    public static Breach Describe(IngestOptions options, IReadOnlyList<string> dataClasses)
    {
        var now = DateTimeOffset.UtcNow;
        return new Breach
        {
            Name = options.BreachName,
            Title = options.Title ?? options.BreachName,
            Domain = options.Domain ?? "",
            BreachDate = options.BreachDate ?? DateOnly.FromDateTime(now.UtcDateTime),
            AddedDate = now,
            ModifiedDate = now,
            Description = options.Description ?? "",
            DataClasses = dataClasses,
            IsVerified = true,
            IsStealerLog = options.Reader.Format == Reading.DumpFormat.Ulp,
        };
    }
}
