namespace Leakwatch.Synthetic;

/// <summary>The planted run of consecutive valid phone numbers: <paramref name="Start"/> is the first number as
/// E.164 digits, the run covers Start … Start + Length - 1, and neither Start - 1 nor Start + Length occurs in the dump.</summary>
public sealed record PlantedRun(ulong Start, int Length, string Region);
