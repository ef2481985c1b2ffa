namespace Leakwatch.Analysis;

public sealed class IdentifierCounts
{
    public long Email { get; init; }
    public long Phone { get; init; }
}
