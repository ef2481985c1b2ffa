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

    /// <summary>Writes the next website-store generation and the next password files, none of it visible yet.</summary>
    /// <returns>The new website file, relative to the data dir.</returns>
    public string Prepare(ExposureIndexStore store, Manifest published, KeyFile keys, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var path = WriteSites(store, published, keys, ct);
        Stats.WebsiteSeconds = clock.Elapsed.TotalSeconds;
        _passwords.Prepare(ct);
        Stats.PasswordSeconds = clock.Elapsed.TotalSeconds - Stats.WebsiteSeconds;
        return Path.GetRelativePath(store.DataDir, path);
    }

    /// <summary>Right after the index manifest names the new website file.</summary>
    public void PublishPasswords() => _passwords.Publish();

    private string WriteSites(ExposureIndexStore store, Manifest published, KeyFile keys, CancellationToken ct)
    {
        var sorters = new List<ExternalSorter>(_workers.Count);
        foreach (var w in _workers)
        {
            sorters.Add(w.Sites);
        }

        ExternalSorter.SortBuffers(sorters);
        Directory.CreateDirectory(store.StealerDir);
        var path = Path.Combine(store.StealerDir, $"sites-gen-{published.Generation + 1:D8}-{Guid.NewGuid():N}.lws");
        using var sealer = new StealerSiteSealer(keys);
        using var pairs = ExternalSorter.Merge(sorters);
        using var old = published.StealerSites is { } rel ? StealerSiteFile.Open(Path.Combine(store.DataDir, rel)) : null;
        using var oldEntries = old?.ReadAll().GetEnumerator();
        using var writer = new StealerSiteWriter(path);
        var haveOld = oldEntries?.MoveNext() ?? false;
        var haveNew = pairs.TryNext(out var pair);
        var group = new List<string>();
        while (haveOld || haveNew)
        {
            if ((writer.Entries & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var newKey = IndexKeys.Truncate(pair);
            if (haveOld && (!haveNew || oldEntries!.Current.Key < newKey))
            {
                // Untouched by this ingest: the sealed blob is copied as it is.
                writer.Add(oldEntries!.Current.Key, oldEntries.Current.Blob);
                haveOld = oldEntries.MoveNext();
                continue;
            }

            group.Clear();
            while (haveNew && IndexKeys.Truncate(pair) == newKey)
            {
                group.Add(_domains.NameOf((long)(ulong)(pair & 0xFFFF_FFFF_FFFFUL)));
                haveNew = pairs.TryNext(out pair);
            }

            if (haveOld && oldEntries!.Current.Key == newKey)
            {
                group.AddRange(sealer.Open(newKey, oldEntries.Current.Blob));
                haveOld = oldEntries.MoveNext();
            }

            writer.Add(newKey, sealer.Seal(newKey, Distinct(group)));
        }

        writer.Finish();
        Stats.WebsiteEntries = writer.Entries;
        ExposureIndexStore.FsyncDirectory(store.StealerDir);
        return path;
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
