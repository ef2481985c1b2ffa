using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Index;
using Leakwatch.Index.Stealer;
using Leakwatch.Ingest.Domains;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// The domain store's delta and merge against a naive union: several ingests of random (alias, domain) pairs, each
/// fed to two collectors with tiny buffers (many sealed runs, duplicates across them) and merged into the previous
/// generation with tiny pages (domains of many pages). After every ingest each domain answers exactly the union of
/// its aliases so far, a domain never seen answers nothing, and every page of a domain the ingest did not touch is
/// the previous generation's sealed blob byte for byte (a resealed page would differ: its nonce is random).
/// </summary>
public sealed class DomainStoreMergeTests
{
    [Property(MaxTest = 25)]
    public Property MergeOfDeltas_EqualsNaiveUnion_AndUntouchedDomainsAreCopied() =>
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            using var dir = new TempDirectory();
            var keys = KeyFile.Ephemeral();
            var store = new ExposureIndexStore(dir.Path);
            var domains = new[] { "a.example", "big.example", "xn--bcher-kva.example", "c.test", "d.org", "e.net" };
            var union = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            var manifest = Manifest.Empty;
            var ingests = random.Next(2, 5);
            for (var g = 0; g < ingests; g++)
            {
                var touched = new HashSet<string>(StringComparer.Ordinal);
                using var build = new DomainStoreBuild(keys, store.TempDir, 1 << 20, 2)
                {
                    MaxPageBytes = random.Next(16, 120),
                    CollectorBudgetBytes = 4096,
                };
                var workers = new[] { build.NewCollector(), build.NewCollector() };
                var pairs = random.Next(0, 700);
                for (var i = 0; i < pairs; i++)
                {
                    // Few domains per ingest, so some stay untouched; big.example gets most addresses.
                    var domain = random.Next(4) == 0 ? domains[random.Next(g % 3, g % 3 + 3)] : "big.example";
                    var alias = "user" + random.Next(0, 400).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    workers[random.Next(2)].Add($"{alias}@{domain}");
                    touched.Add(domain);
                    if (!union.TryGetValue(domain, out var set))
                    {
                        union[domain] = set = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(alias);
                }

                var before = ReadBlobs(store, manifest);
                var path = build.Prepare(store, manifest, CancellationToken.None);
                manifest = manifest with { Generation = manifest.Generation + 1, DomainStore = path };

                using (var reader = DomainStoreReader.Open(Path.Combine(dir.Path, path), keys))
                {
                    foreach (var d in domains)
                    {
                        var expected = union.TryGetValue(d, out var set) ? set.ToList() : [];
                        var actual = reader.Aliases(d);
                        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
                        {
                            return false.Label($"ingest {g}: {d} answered {actual.Count} aliases, expected {expected.Count}");
                        }
                    }

                    if (reader.Aliases("never.example").Count != 0)
                    {
                        return false.Label("a domain never ingested answered");
                    }
                }

                var sealer = new DomainStoreSealer(keys);
                var after = ReadBlobs(store, manifest);
                foreach (var d in domains)
                {
                    if (touched.Contains(d) || !union.ContainsKey(d))
                    {
                        continue;
                    }

                    var tag = sealer.Tag(d);
                    foreach (var (key, blob) in before)
                    {
                        if (DomainStoreSealer.TagOf(key) == tag && (!after.TryGetValue(key, out var copied) || !copied.AsSpan().SequenceEqual(blob)))
                        {
                            return false.Label($"ingest {g}: an untouched page of {d} was not copied verbatim");
                        }
                    }
                }
            }

            return true.ToProperty();
        });

    [Fact]
    public void WrongKeyFile_CannotOpenTheStore_OneLineNamingTheFile()
    {
        using var dir = new TempDirectory();
        var store = new ExposureIndexStore(dir.Path);
        string path;
        using (var build = new DomainStoreBuild(KeyFile.Ephemeral(), store.TempDir, 1 << 20, 1))
        {
            build.NewCollector().Add("someone@example.com");
            path = Path.Combine(dir.Path, build.Prepare(store, Manifest.Empty, CancellationToken.None));
        }

        var e = Assert.Throws<Core.Errors.LeakwatchException>(() => DomainStoreReader.Open(path, KeyFile.Ephemeral()));
        Assert.Equal($"{path}: the domain store does not open with this key file (it was written under another key file)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static Dictionary<UInt128, byte[]> ReadBlobs(ExposureIndexStore store, Manifest manifest)
    {
        var blobs = new Dictionary<UInt128, byte[]>();
        if (manifest.DomainStore is null)
        {
            return blobs;
        }

        using var file = StealerSiteFile.Open(Path.Combine(store.DataDir, manifest.DomainStore));
        foreach (var (key, blob) in file.ReadAll())
        {
            blobs[key] = blob;
        }

        return blobs;
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("lw-domains-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
