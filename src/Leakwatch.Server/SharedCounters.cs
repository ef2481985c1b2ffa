using Leakwatch.Privacy;
using Microsoft.Extensions.Logging;

namespace Leakwatch.Server;

/// <summary>With <c>--redis</c>: the connection and the shared enumeration detector; without it, both null and every
/// counter stays in this process.</summary>
internal sealed class SharedCounters : IDisposable
{
    public SharedCounters(ServerOptions options, ILoggerFactory logs, ServerMetrics metrics)
    {
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            return;
        }

        // Loaded on the first lookup that needs it, not at start: a replica of a new cluster starts before the writer's
        // first ingest has created the key file, and until then there is no index to look anything up in.
        var keyFile = options.KeyFilePath ?? KeyFile.DefaultPathFor(options.DataDir);
        var hasher = new Lazy<DetectorHasher>(() => new DetectorHasher(KeyFile.Load(keyFile)), LazyThreadSafetyMode.PublicationOnly);
        Redis = new RedisCounters(options.Redis.Trim(), options.TimeProvider, logs);
        Detector = new SharedScrapingDetector(Redis, options.Enumeration, hasher, logs, metrics);
    }

    public RedisCounters? Redis { get; }

    public SharedScrapingDetector? Detector { get; }

    public void Dispose()
    {
        Detector?.Dispose();
        Redis?.Dispose();
    }
}
