namespace Leakwatch.Analysis;

public sealed class BirthDateSummary
{
    public IReadOnlyList<YearCount> Years { get; init; } = [];
    public IReadOnlyList<DateSpike> Spikes { get; init; } = [];
    public MostCommonDate? MostCommon { get; init; }
}
