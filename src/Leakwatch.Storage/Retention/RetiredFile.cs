namespace Leakwatch.Storage.Retention;

/// <summary>A generation file a publish replaced, and when: a manifest lists it so that its store's sweep keeps it
/// for the retention period instead of taking it as an orphan (see <see cref="GenerationRetention"/>).</summary>
public sealed record RetiredFile
{
    /// <summary>The file as the manifest names its generations (relative to the data dir, or to the store's directory).</summary>
    public string File { get; init; } = "";

    /// <summary>When the publish that replaced it happened.</summary>
    public DateTimeOffset Retired { get; init; }
}
