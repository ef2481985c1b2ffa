using System.Text;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Catalog.Lookup;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Storage.Publishing;

namespace Leakwatch.Server;

/// <summary>
/// One published generation as served: the lookup (mapped index) and the catalogue rendered to JSON. Reference
/// counted, so a reload can swap in the next generation while requests still finish on this one.
/// </summary>
internal sealed class ServingState : PublishedGeneration
{
    private readonly ExposureLookup? _lookup;
    private readonly Dictionary<int, PreparedBreach> _byId = [];
    private readonly Dictionary<string, PreparedBreach> _byName = new(StringComparer.OrdinalIgnoreCase);

    public ServingState(ExposureLookup? lookup, IEnumerable<Breach> breaches, Manifest manifest, string catalogRevision)
    {
        _lookup = lookup;
        Manifest = manifest;
        CatalogRevision = catalogRevision;
        var all = new List<PreparedBreach>();
        var classes = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var b in breaches)
        {
            var p = new PreparedBreach(b);
            all.Add(p);
            _byId[b.Id] = p;
            _byName[b.Name] = p;
            classes.UnionWith(b.DataClasses);
        }

        All = all;
        AllJson = JoinArray(all, truncated: false);
        DataClassesJson = JsonSerializer.SerializeToUtf8Bytes(classes.ToList(), ServerJson.Default.ListString);
        Latest = all.Count == 0 ? null : all.MaxBy(p => (p.Breach.AddedDate, p.Breach.Id));
    }

    public Manifest Manifest { get; }

    public long Generation => Manifest.Generation;

    /// <summary>The catalogue revision read before these breaches were (<see cref="Leakwatch.Catalog.CatalogRevision"/>).</summary>
    public string CatalogRevision { get; }

    /// <summary>Published breaches, oldest breach date first.</summary>
    public IReadOnlyList<PreparedBreach> All { get; }

    public byte[] AllJson { get; }

    public byte[] DataClassesJson { get; }

    public PreparedBreach? Latest { get; }

    public PreparedBreach? ByName(string name) => _byName.GetValueOrDefault(name);

    public AccountKind TryKey(ReadOnlySpan<char> account, Lazy<Leakwatch.Core.PhoneNormalizer> phones, out UInt128 key)
    {
        if (_lookup is null)
        {
            // Nothing published yet: still tell a malformed account from a well-formed one.
            key = default;
            account = account.Trim();
            if (account.Contains('@'))
            {
                Span<char> buffer = stackalloc char[EmailNormalizer.MaxLength];
                return EmailNormalizer.TryNormalize(account, buffer, out _) ? AccountKind.Email : AccountKind.Invalid;
            }

            return phones.Value.TryNormalize(account, out _) ? AccountKind.Phone : AccountKind.Invalid;
        }

        return _lookup.TryKey(account, phones, out key);
    }

    /// <summary>The breaches holding this key, oldest first, as prepared breaches (appended to <paramref name="into"/>).</summary>
    public void Find(UInt128 key, List<PreparedBreach> into)
    {
        if (_lookup is null)
        {
            return;
        }

        foreach (var b in _lookup.Find(key))
        {
            if (_byId.TryGetValue(b.Id, out var p))
            {
                into.Add(p);
            }
        }
    }

    /// <summary>The index's breach set holding this key, or -1 (nothing published, or not in any breach).</summary>
    public int FindSet(UInt128 key) => _lookup?.FindSet(key) ?? -1;

    /// <summary>
    /// <c>["Name",…]</c> of a breach set as account search shows it (no retired or sensitive breach, oldest first),
    /// rendered on first use and kept for this generation: a bulk answer copies bytes per account. Two threads may
    /// both render a set; they write the same bytes.
    /// </summary>
    public byte[] BulkNames(int set)
    {
        if (set < 0 || _lookup is null)
        {
            return EmptyNames;
        }

        var cache = _bulkNames ??= new byte[]?[_lookup.SetCount];
        if (Volatile.Read(ref cache[set]) is { } ready)
        {
            return ready;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer, HibpApi.BulkJson))
        {
            w.WriteStartArray();
            foreach (var b in _lookup.SetBreaches(set))
            {
                if (_byId.ContainsKey(b.Id) && !b.IsRetired && !b.IsSensitive)
                {
                    w.WriteStringValue(b.Name);
                }
            }

            w.WriteEndArray();
        }

        var bytes = buffer.WrittenSpan.ToArray();
        Volatile.Write(ref cache[set], bytes);
        return bytes;
    }

    /// <summary>
    /// Whether the key is in a published, unretired stealer-log breach now. The stealer-log stores record what a log
    /// held, not which breach: this check, made for every address they answer, is what makes a removed or retired
    /// stealer log disappear from the stealer-log endpoints without rewriting the stores (as the domain store's
    /// aliases follow the index). Decided once per breach set and kept for this generation.
    /// </summary>
    public bool InStealerLog(UInt128 key)
    {
        var set = FindSet(key);
        if (set < 0 || _lookup is null)
        {
            return false;
        }

        var cache = _stealerSets ??= new byte[_lookup.SetCount];
        var known = Volatile.Read(ref cache[set]);
        if (known != 0)
        {
            return known == 1;
        }

        var any = false;
        foreach (var b in _lookup.SetBreaches(set))
        {
            any |= b.IsStealerLog && !b.IsRetired && _byId.ContainsKey(b.Id);
        }

        Volatile.Write(ref cache[set], any ? (byte)1 : (byte)2);
        return any;
    }

    private byte[]? _stealerSets;

    private static readonly byte[] EmptyNames = "[]"u8.ToArray();
    private byte[]?[]? _bulkNames;

    /// <summary>The stealer-log website store the manifest names, or null (<see cref="FindWebsites"/>).</summary>
    public Leakwatch.Index.Stealer.StealerSiteFile? StealerSites { get; init; }

    /// <summary>Opens <see cref="StealerSites"/> entries; set with it.</summary>
    public Leakwatch.Privacy.StealerSiteSealer? StealerSealer { get; init; }

    private readonly Lock _sealerLock = new();

    /// <summary>The website domains recorded for an email key, or null. The sealer is not thread-safe: requests
    /// take turns opening (a few microseconds each).</summary>
    public string[]? FindWebsites(UInt128 key)
    {
        if (StealerSites?.Find(key) is not { } blob)
        {
            return null;
        }

        lock (_sealerLock)
        {
            return StealerSealer!.Open(key, blob);
        }
    }

    /// <summary>The domain store the manifest names, opened under the key file, or null (<see cref="BreachedAliases"/>).</summary>
    public Leakwatch.Privacy.DomainStoreReader? DomainStore { get; init; }

    /// <summary>
    /// The aliases of <paramref name="domain"/> (canonical) that are in at least one published, unretired breach,
    /// each with those breaches (oldest first), in alias order. The domain store gives the aliases; each address's
    /// current breaches come from the index, so a removed breach needs no change to the store, and an address
    /// <paramref name="hidden"/> says is opted out is left out. The keys are looked up in index order, which keeps
    /// the mapped pages' reads close together.
    /// </summary>
    public List<(string Alias, List<Breach> Breaches)> BreachedAliases(string domain, Func<UInt128, bool> hidden)
    {
        var result = new List<(string, List<Breach>)>();
        if (DomainStore is null || _lookup is null)
        {
            return result;
        }

        var aliases = DomainStore.Aliases(domain);
        var keyed = new (UInt128 Key, int Alias)[aliases.Count];
        var count = 0;
        Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
        for (var i = 0; i < aliases.Count; i++)
        {
            var alias = aliases[i];
            if (alias.Length + 1 + domain.Length > email.Length)
            {
                continue;
            }

            alias.CopyTo(email);
            email[alias.Length] = '@';
            domain.CopyTo(email[(alias.Length + 1)..]);
            keyed[count++] = (_lookup.KeyOfNormalizedEmail(email[..(alias.Length + 1 + domain.Length)]), i);
        }

        var sorted = keyed.AsSpan(0, count);
        sorted.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        var sets = new int[aliases.Count];
        Array.Fill(sets, -1);
        foreach (var (key, alias) in sorted)
        {
            if (!hidden(key))
            {
                sets[alias] = _lookup.FindSet(key);
            }
        }

        var bySet = new Dictionary<int, List<Breach>>();
        for (var i = 0; i < aliases.Count; i++)
        {
            var set = sets[i];
            if (set < 0)
            {
                continue;
            }

            if (!bySet.TryGetValue(set, out var breaches))
            {
                breaches = _lookup.SetBreaches(set).FindAll(b => _byId.ContainsKey(b.Id) && !b.IsRetired);
                bySet[set] = breaches;
            }

            if (breaches.Count > 0)
            {
                result.Add((aliases[i], breaches));
            }
        }

        return result;
    }
    /// <summary>The stealer-log store by email domain (<see cref="FindEmailDomainPages"/>), or null.</summary>
    public Leakwatch.Index.Stealer.StealerSiteFile? StealerEmailDomains { get; init; }

    /// <summary>The stealer-log store by website domain (<see cref="FindWebsitePages"/>), or null.</summary>
    public Leakwatch.Index.Stealer.StealerSiteFile? StealerWebsites { get; init; }

    /// <summary>Set with the key file whenever any stealer-log store is: the domain tags.</summary>
    public Leakwatch.Privacy.StealerTagger? StealerTagger { get; init; }

    public Leakwatch.Privacy.StealerSiteSealer? StealerEmailDomainSealer { get; init; }

    public Leakwatch.Privacy.StealerSiteSealer? StealerWebsiteSealer { get; init; }

    /// <summary>Every page (plaintext, <c>alias\tsite…</c> lines) of an email domain; empty when none.</summary>
    public List<byte[]> FindEmailDomainPages(string domain) =>
        StealerEmailDomains is null ? []
            : FindPages(StealerEmailDomains, StealerEmailDomainSealer!, StealerTagger!.EmailDomain(domain));

    /// <summary>Every page (plaintext, one email a line) of a website domain; empty when none.</summary>
    public List<byte[]> FindWebsitePages(string domain) =>
        StealerWebsites is null ? [] : FindPages(StealerWebsites, StealerWebsiteSealer!, StealerTagger!.Website(domain));

    private List<byte[]> FindPages(Leakwatch.Index.Stealer.StealerSiteFile file, Leakwatch.Privacy.StealerSiteSealer sealer, ulong tag) =>
        Leakwatch.Index.Stealer.StealerPageKeys.ReadPages(file, tag, (key, blob) =>
        {
            lock (_sealerLock)
            {
                return sealer.OpenBytes(key, blob);
            }
        });

    protected override void Free()
    {
        _lookup?.Dispose();
        DomainStore?.Dispose();
        StealerSites?.Dispose();
        StealerSealer?.Dispose();
        StealerEmailDomains?.Dispose();
        StealerWebsites?.Dispose();
        StealerEmailDomainSealer?.Dispose();
        StealerWebsiteSealer?.Dispose();
    }

    public static byte[] JoinArray(IReadOnlyList<PreparedBreach> items, bool truncated)
    {
        var length = 2 + Math.Max(0, items.Count - 1);
        foreach (var p in items)
        {
            length += (truncated ? p.Truncated : p.Full).Length;
        }

        var result = new byte[length];
        WriteArray(items, truncated, result);
        return result;
    }

    /// <summary>Writes <c>[a,b,…]</c>; <paramref name="destination"/> must be <see cref="ArrayLength"/> long.</summary>
    public static void WriteArray(IReadOnlyList<PreparedBreach> items, bool truncated, Span<byte> destination)
    {
        destination[0] = (byte)'[';
        var at = 1;
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)',';
            }

            var bytes = truncated ? items[i].Truncated : items[i].Full;
            bytes.CopyTo(destination[at..]);
            at += bytes.Length;
        }

        destination[at] = (byte)']';
    }

    public static int ArrayLength(IReadOnlyList<PreparedBreach> items, bool truncated)
    {
        var length = 2 + Math.Max(0, items.Count - 1);
        for (var i = 0; i < items.Count; i++)
        {
            length += (truncated ? items[i].Truncated : items[i].Full).Length;
        }

        return length;
    }

    public static readonly Encoding Utf8 = new UTF8Encoding(false);
}
