using System.Globalization;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Ingest.Private;

public sealed record PrivateBuildOptions
{
    /// <summary>Identifiers per spill chunk: the unit of OPRF work and of resumption. <c>LEAKWATCH_PRIVATE_CHUNK</c>
    /// overrides the default (tests use small chunks to have many checkpoints).</summary>
    public static int DefaultChunkIdentifiers =>
        int.TryParse(Environment.GetEnvironmentVariable("LEAKWATCH_PRIVATE_CHUNK"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 16_384;

    /// <summary>Memory for the identifiers of the merge; beyond it they are partitioned by bucket on disk (sealed).</summary>
    public int MemoryMegabytes { get; init; } = 1024;

    /// <summary>Threads evaluating the OPRF.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    public int ChunkIdentifiers { get; init; } = DefaultChunkIdentifiers;

    /// <summary>Salt, nonces and dummies; the OS CSPRNG unless a test injects a seeded source.</summary>
    public IPrivateRandom Random { get; init; } = SecurePrivateRandom.Instance;

    /// <summary>How long a replaced private generation stays on disk; null is <see cref="Storage.Retention.GenerationRetention.Default"/>.</summary>
    public Storage.Retention.GenerationRetention? Retention { get; init; }
}
