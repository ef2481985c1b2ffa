namespace Leakwatch.Privacy.Buckets;

/// <summary>A privately indexed breach and where to read it again.</summary>
public sealed record PrivateBreachSource
{
    public int Id { get; init; }

    public string Name { get; init; } = "";

    public PrivateSource Source { get; init; } = new();

    public DateTimeOffset Indexed { get; init; }
}
