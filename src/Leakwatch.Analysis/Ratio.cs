namespace Leakwatch.Analysis;

/// <summary>A proportion. In sample mode <see cref="Low"/>/<see cref="High"/> bound it with a 95% Wilson
/// interval; for a full run they are null because the value is exact.</summary>
public sealed record Ratio(double Value, double? Low, double? High)
{
    public static Ratio Zero { get; } = new(0, null, null);
}
