using System.Globalization;
using BenchmarkDotNet.Attributes;
using Leakwatch.Index;
using Leakwatch.Ingest.Domains;
using Leakwatch.Privacy;

namespace Leakwatch.Benchmarks;

/// <summary>
/// The domain store's work in an ingest: during the read, each worker's collector takes its share of the emails
/// (<see cref="Append"/>: fresh buffers each time, so their first-touch page faults count, as in an ingest); after
/// it (the part that runs beside the key sort and the index merge), three workers' last buffers are sorted where
/// they lie, then merged into sealed pages of a new generation (<see cref="SortAndMerge"/>). The
/// aliases look like a generated dump's ("surname.firstname" and digits, so many share their first bytes), spread
/// over 40 domains of very different sizes, as mail providers are.
/// </summary>
[MemoryDiagnoser]
public class DomainStoreBenchmarks
{
    private const int Workers = 3;
    private readonly KeyFile _keys = KeyFile.Ephemeral();
    private string _dir = "";
    private string[] _emails = [];
    private DomainStoreBuild? _build;
    private DomainAliasCollector[] _collectors = [];
    private ExposureIndexStore? _store;

    [Params(1_650_000)]
    public int Pairs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("lw-domain-bench-").FullName;
        _store = new ExposureIndexStore(_dir);
        var rng = new Random(5);
        string[] surnames = ["escamilla", "lucchesi", "johnston", "smith", "garcia", "nguyen", "müller", "kowalski", "okafor", "tanaka"];
        string[] first = ["raul", "g", "elmer", "ana", "li", "jo", "maria", "p", "kenji", "ife"];
        _emails = new string[Pairs];
        for (var i = 0; i < _emails.Length; i++)
        {
            // Domain k of 40 with weight ~1/(k+1): a few large providers and a long tail.
            var domain = (int)(40 * Math.Pow(rng.NextDouble(), 3));
            _emails[i] = string.Create(CultureInfo.InvariantCulture,
                $"{surnames[rng.Next(surnames.Length)]}{rng.Next(100)}.{first[rng.Next(first.Length)]}{rng.Next(100_000_000)}@mail{domain}.example");
        }
    }

    /// <summary>The read's share, as setup of <see cref="SortAndMerge"/>.</summary>
    [IterationSetup(Target = nameof(SortAndMerge))]
    public void Fill()
    {
        NewBuild();
        Append();
    }

    [IterationSetup(Target = nameof(Append))]
    public void NewBuild()
    {
        _build = new DomainStoreBuild(_keys, _store!.TempDir, 1L << 30, Workers);
        _collectors = new DomainAliasCollector[Workers];
        for (var w = 0; w < Workers; w++)
        {
            _collectors[w] = _build.NewCollector();
        }
    }

    /// <summary>The read's share: each worker's collector fills as the ingest's workers fill theirs (one thread here).</summary>
    [Benchmark]
    public long Append()
    {
        for (var i = 0; i < _emails.Length; i++)
        {
            _collectors[i % Workers].Add(_emails[i]);
        }

        return _collectors[0].Added;
    }

    [Benchmark]
    public string SortAndMerge()
    {
        var path = _build!.Prepare(_store!, Manifest.Empty, CancellationToken.None);
        File.Delete(Path.Combine(_dir, path));
        return path;
    }

    [IterationCleanup]
    public void Dispose() => _build?.Dispose();

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);
}
