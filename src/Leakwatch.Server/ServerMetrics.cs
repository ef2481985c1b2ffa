using System.Collections.Concurrent;
using Prometheus;

namespace Leakwatch.Server;

/// <summary>
/// Prometheus metrics in a registry of this server's own (tests run several servers in one process). Labels are
/// route templates and status codes, never a path: the path of an account search is the account.
/// </summary>
public sealed class ServerMetrics
{
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly ConcurrentDictionary<(string, int), Counter.Child> _requestChildren = new();
    private readonly ConcurrentDictionary<string, Histogram.Child> _durationChildren = new();

    public ServerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        _requests = f.CreateCounter("leakwatch_http_requests_total", "HTTP requests by route template and status code.", "endpoint", "code");
        _duration = f.CreateHistogram("leakwatch_http_request_duration_seconds", "HTTP request latency by route template.",
            new HistogramConfiguration
            {
                LabelNames = ["endpoint"],
                Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
            });
        RateLimitRejections = f.CreateCounter("leakwatch_rate_limit_rejections_total", "Requests refused with 429 by the rate limiter.", "scope");
        EnumerationBlocks = f.CreateCounter("leakwatch_enumeration_blocks_total", "Clients blocked for enumerating accounts, by rule.", "rule");
        EnumerationRejections = f.CreateCounter("leakwatch_enumeration_rejections_total", "Requests refused with 429 because the client is blocked for enumeration.");
        IndexGeneration = f.CreateGauge("leakwatch_index_generation", "Generation of the index being served.");
        Reloads = f.CreateCounter("leakwatch_index_reloads_total", "Index reloads without restart.");
        PrivateEvaluations = f.CreateCounter("leakwatch_private_evaluations_total", "Private-lookup OPRF evaluations by outcome (ok, bad_request, no_index).", "outcome");
        PrivateIndexGeneration = f.CreateGauge("leakwatch_private_index_generation", "Generation of the private index being served (0: none).");
    }

    public Counter PrivateEvaluations { get; }

    public Gauge PrivateIndexGeneration { get; }

    public CollectorRegistry Registry { get; }

    public Counter RateLimitRejections { get; }

    public Counter EnumerationBlocks { get; }

    public Counter EnumerationRejections { get; }

    public Gauge IndexGeneration { get; }

    public Counter Reloads { get; }

    public void ObserveRequest(string endpoint, int statusCode, double seconds)
    {
        _requestChildren.GetOrAdd((endpoint, statusCode), static (k, c) => c.WithLabels(k.Item1, k.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture)), _requests).Inc();
        _durationChildren.GetOrAdd(endpoint, static (k, h) => h.WithLabels(k), _duration).Observe(seconds);
    }
}
