using System.Runtime.CompilerServices;
using Leakwatch.Index;
using Leakwatch.Index.Stealer;
using Leakwatch.Passwords;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Stealer;

/// <summary>
/// The extra outputs of a stealer-log ingest (`--format ulp`), beside the exposure index the rest of the pipeline
/// builds from the logins: the passwords, hashed as they are read, into the Pwned Passwords store
/// (<see cref="PasswordSpill"/>); and (email key → website domains) into the website store, a sorted file per
/// generation rewritten by one linear merge of the published file with this ingest's sorted pairs, each entry
/// sealed (<see cref="StealerSiteSealer"/>). Both are written before the index publish; the new website file is
/// named by the same manifest swap that publishes the breach, and the password manifest is swapped right after it.
/// </summary>
internal sealed class UlpIngest : IDisposable
{
    /// <summary>More sites than this for one email are dropped (the first in ordinal order are kept): no real
    /// victim's machine held that many, and an entry must stay a small blob.</summary>
    public const int MaxDomainsPerEmail = 1000;

    private readonly PasswordSpill _passwords;
    private readonly StealerDomainTable _domains = new();
    private readonly List<UlpWorker> _workers = [];

    private UlpIngest(PasswordSpill passwords) => _passwords = passwords;

    public UlpStats Stats { get; } = new();

    /// <exception cref="IngestException">Another password ingest holds the password store.</exception>
    public static UlpIngest Open(string dataDir)
    {
        try
        {
            return new UlpIngest(PasswordSpill.Open(dataDir));
        }
        catch (PasswordStoreBusyException e)
        {
            throw new IngestException(e.Message, e);
        }
    }

    public UlpWorker NewWorker(string tempDir, int sorterCapacity)
    {
        var w = new UlpWorker(_passwords.NewHasher(), new ExternalSorter(tempDir, "sites", sorterCapacity), _domains);
        _workers.Add(w);
        return w;
    }

    /// <summary>After reading: the hashers' last hashes go to the spill, and the workers' counts to <see cref="Stats"/>.</summary>
    public void CollectWorkers()
    {
        foreach (var w in _workers)
        {
            w.Passwords.Flush();
            Stats.EmailsIndexed += w.EmailsIndexed;
            Stats.UsernamesSkipped += w.UsernamesSkipped;
            Stats.InvalidEmails += w.InvalidEmails;
        }

        Stats.Passwords = _passwords.Passwords;
        Stats.WebsiteDomains = _domains.Count;
    }

    /// <summary>Writes the next generation of the three stealer-log stores (website by email; by email domain; by
    /// website domain) side by side, and the next password files; none of it visible yet.</summary>
    /// <returns>The new store files, relative to the data dir.</returns>
    public StealerStoreFiles Prepare(ExposureIndexStore store, Manifest published, KeyFile keys, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Directory.CreateDirectory(store.StealerDir);
        var generation = published.Generation + 1;
        string? sites = null, emailDomains = null, websites = null;
        var ranks = _domains.Ranks();
        // Each writer notes when it ended; the stores' time is the last of them. The password files are merged beside
        // the three stores, not after them: the merges take turns on the cores instead of one waiting for the slowest.
        double sitesEnd = 0, emailDomainsEnd = 0, websitesEnd = 0, passwordsTook = 0;
        Parallel.Invoke(
            () =>
            {
                sites = WriteSites(store, published, keys, ranks, ct);
                sitesEnd = clock.Elapsed.TotalSeconds;
            },
            () =>
            {
                emailDomains = WritePaged(store, published.StealerEmailDomains, StealerPageKind.EmailDomain,
                    Path.Combine(store.StealerDir, $"email-domains-gen-{generation:D8}-{Guid.NewGuid():N}.lws"), keys, ranks, ct);
                emailDomainsEnd = clock.Elapsed.TotalSeconds;
            },
            () =>
            {
                websites = WritePaged(store, published.StealerWebsites, StealerPageKind.Website,
                    Path.Combine(store.StealerDir, $"websites-gen-{generation:D8}-{Guid.NewGuid():N}.lws"), keys, ranks, ct);
                websitesEnd = clock.Elapsed.TotalSeconds;
            },
            () =>
            {
                var start = clock.Elapsed.TotalSeconds;
                _passwords.Prepare(ct);
                passwordsTook = clock.Elapsed.TotalSeconds - start;
            });
        ExposureIndexStore.FsyncDirectory(store.StealerDir);
        Stats.WebsiteSeconds = Math.Max(sitesEnd, Math.Max(emailDomainsEnd, websitesEnd));
        Stats.PasswordSeconds = passwordsTook;
        return new StealerStoreFiles(Path.GetRelativePath(store.DataDir, sites!), Path.GetRelativePath(store.DataDir, emailDomains!),
            Path.GetRelativePath(store.DataDir, websites!));
    }

    /// <summary>One of the paged stores: this ingest's logins as sorted (tag, login) records, merged with the
    /// published generation.</summary>
    private string WritePaged(ExposureIndexStore store, string? published, StealerPageKind kind, string path, KeyFile keys,
        (int[] RankOfId, byte[][] Utf8ByRank) ranks, CancellationToken ct)
    {
        var tagger = new StealerTagger(keys);
        var logins = new StealerLogins[_workers.Count];
        var buckets = new int[_workers.Count][];
        var counts = new int[_workers.Count];
        for (var w = 0; w < logins.Length; w++)
        {
            logins[w] = _workers[w].Logins;
            counts[w] = logins[w].Count;
        }

        ulong[] tags;
        if (kind == StealerPageKind.Website)
        {
            tags = new ulong[_domains.Count];
            for (var i = 0; i < tags.Length; i++)
            {
                tags[i] = tagger.Website(_domains.NameOf(i));
            }

            for (var w = 0; w < logins.Length; w++)
            {
                buckets[w] = logins[w].SiteIds;
            }
        }
        else
        {
            tags = EmailDomainBuckets(logins, buckets, tagger);
        }

        var records = StealerTagGroups.Order(tags, buckets, counts);
        using var old = published is { } rel ? StealerSiteFile.Open(Path.Combine(store.DataDir, rel)) : null;
        var entries = new StealerPagedStoreBuilder(kind, logins, _domains, ranks.RankOfId, ranks.Utf8ByRank).Write(path, old, records, keys, ct);
        if (kind == StealerPageKind.EmailDomain)
        {
            Stats.EmailDomainPages = entries;
        }
        else
        {
            Stats.WebsitePages = entries;
        }

        return path;
    }

    /// <summary>Each login's email domain as a small bucket number (per worker, in <paramref name="buckets"/>); returns
    /// each bucket's tag. Email domains repeat: each is tagged once.</summary>
    private static ulong[] EmailDomainBuckets(StealerLogins[] logins, int[][] buckets, StealerTagger tagger)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var tags = new List<ulong>();
        for (var w = 0; w < logins.Length; w++)
        {
            var of = buckets[w] = GC.AllocateUninitializedArray<int>(logins[w].Count);
            for (var i = 0; i < of.Length; i++)
            {
                var email = logins[w].Email(i);
                var domain = email[(email.IndexOf('@') + 1)..];
                if (!lookup.TryGetValue(domain, out var id))
                {
                    var name = domain.ToString();
                    id = tags.Count;
                    tags.Add(tagger.EmailDomain(name));
                    ids[name] = id;
                }

                of[i] = id;
            }
        }

        return [.. tags];
    }

    /// <summary>Right after the index manifest names the new website file.</summary>
    public void PublishPasswords() => _passwords.Publish();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string WriteSites(ExposureIndexStore store, Manifest published, KeyFile keys, (int[] RankOfId, byte[][] Utf8ByRank) domainRanks,
        CancellationToken ct)
    {
        var sorters = new List<ExternalSorter>(_workers.Count);
        foreach (var w in _workers)
        {
            sorters.Add(w.Sites);
        }

        ExternalSorter.SortBuffers(sorters);
        var path = Path.Combine(store.StealerDir, $"sites-gen-{published.Generation + 1:D8}-{Guid.NewGuid():N}.lws");
        var (rankOfId, utf8) = domainRanks;
        using var pairs = ExternalSorter.Merge(sorters);
        using var old = published.StealerSites is { } rel ? StealerSiteFile.Open(Path.Combine(store.DataDir, rel)) : null;
        using var oldEntries = old?.ReadAll().GetEnumerator();
        using var writer = new StealerSiteWriter(path);
        using var batch = new StealerSealBatch(writer, new StealerSealSession(keys, StealerSiteSealer.SitesContext));
        var haveOld = oldEntries?.MoveNext() ?? false;
        var haveNew = pairs.TryNext(out var pair);
        var ranks = new List<int>();
        var group = new List<string>();
        long entries = 0;
        while (haveOld || haveNew)
        {
            if ((++entries & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var newKey = IndexKeys.Truncate(pair);
            if (haveOld && (!haveNew || oldEntries!.Current.Key < newKey))
            {
                // Untouched by this ingest: the sealed blob is copied as it is.
                batch.AddSealed(oldEntries!.Current.Key, oldEntries.Current.Blob);
                haveOld = oldEntries.MoveNext();
                continue;
            }

            ranks.Clear();
            while (haveNew && IndexKeys.Truncate(pair) == newKey)
            {
                ranks.Add(rankOfId[(int)(ulong)(pair & 0xFFFF_FFFF_FFFFUL)]);
                haveNew = pairs.TryNext(out pair);
            }

            if (haveOld && oldEntries!.Current.Key == newKey)
            {
                // Seen before: the old domains and the new, by name (rare: a re-ingest or an overlapping dump).
                group.Clear();
                foreach (var r in ranks)
                {
                    group.Add(System.Text.Encoding.UTF8.GetString(utf8[r]));
                }

                group.AddRange(batch.Opener.Open(newKey, oldEntries.Current.Blob));
                haveOld = oldEntries.MoveNext();
                batch.AddPlain(newKey, System.Text.Encoding.UTF8.GetBytes(string.Join('\n', Distinct(group))));
                continue;
            }

            AddRanks(batch, newKey, ranks, utf8);
        }

        batch.Flush();
        writer.Finish();
        Stats.WebsiteEntries = writer.Entries;
        return path;
    }

    /// <summary>An email's new domains, as ordinal ranks: sorted, distinct, the first <see cref="MaxDomainsPerEmail"/>,
    /// joined by '\n'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRanks(StealerSealBatch batch, UInt128 key, List<int> ranks, byte[][] utf8)
    {
        ranks.Sort();
        var bytes = 0;
        var kept = 0;
        for (var i = 0; i < ranks.Count && kept < MaxDomainsPerEmail; i++)
        {
            if (i == 0 || ranks[i] != ranks[i - 1])
            {
                bytes += utf8[ranks[i]].Length + 1;
                kept++;
            }
        }

        var span = batch.Reserve(bytes);
        var at = 0;
        kept = 0;
        for (var i = 0; i < ranks.Count && kept < MaxDomainsPerEmail; i++)
        {
            if (i == 0 || ranks[i] != ranks[i - 1])
            {
                if (at > 0)
                {
                    span[at++] = (byte)'\n';
                }

                utf8[ranks[i]].CopyTo(span[at..]);
                at += utf8[ranks[i]].Length;
                kept++;
            }
        }

        batch.Commit(key, at);
    }

    private static List<string> Distinct(List<string> domains)
    {
        domains.Sort(StringComparer.Ordinal);
        var result = new List<string>(Math.Min(domains.Count, MaxDomainsPerEmail));
        foreach (var d in domains)
        {
            if (result.Count == MaxDomainsPerEmail)
            {
                break;
            }

            if (result.Count == 0 || !string.Equals(result[^1], d, StringComparison.Ordinal))
            {
                result.Add(d);
            }
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var w in _workers)
        {
            w.Sites.Dispose();
        }

        _passwords.Dispose();
    }
}
