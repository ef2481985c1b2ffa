namespace Leakwatch.Synthetic.Internal;

/// <summary>Names, cities and employers of one locale, drawn from Bogus once and then picked from with the fast
/// seeded <see cref="Rng"/> (Bogus per record would be far too slow for millions of rows).</summary>
internal sealed class LocalePool
{
    public required string[] MaleFirst { get; init; }
    public required string[] FemaleFirst { get; init; }
    public required string[] Last { get; init; }
    public required string[] City { get; init; }
    public required string[] Employer { get; init; }

    /// <summary>ASCII lowercase letters for email local parts, aligned with the name arrays (Latin fallback for other scripts).</summary>
    public required string[] MaleSlug { get; init; }
    public required string[] FemaleSlug { get; init; }
    public required string[] LastSlug { get; init; }
}
