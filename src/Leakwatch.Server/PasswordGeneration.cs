using System.Collections.Concurrent;
using Leakwatch.Passwords;
using Leakwatch.Storage.Publishing;

namespace Leakwatch.Server;

/// <summary>A password store generation and the bodies rendered from it, swapped as one so a body never outlives
/// its store. Freed (the store's range files unmapped) when the last request reading it releases it.</summary>
internal sealed class PasswordGeneration(PasswordRangeStore? store) : PublishedGeneration
{
    /// <summary>Null when no password store has been published.</summary>
    public PasswordRangeStore? Store { get; } = store;

    public ConcurrentDictionary<int, RenderedRange> Cache { get; } = new();

    public long CacheBytes;

    protected override void Free() => Store?.Dispose();
}
