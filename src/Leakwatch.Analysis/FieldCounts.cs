namespace Leakwatch.Analysis;

public sealed class FieldCounts
{
    public long Email { get; init; }
    public long Phone { get; init; }
    public long Birthdate { get; init; }
}
