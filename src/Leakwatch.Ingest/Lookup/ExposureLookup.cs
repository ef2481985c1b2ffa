using Leakwatch.Catalog;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Lookup;

/// <summary>How an account a person typed was understood.</summary>
public enum AccountKind
{
    Invalid,
    Email,
    Phone,
}

/// <summary>
/// Answers "in which breaches is this account?" from the published index: the same normalizer and keyed
/// hasher as ingest, then one index seek. Holds the index mapped and the catalogue in memory; thread-safe.
/// </summary>
public sealed class ExposureLookup : IDisposable
{
    private readonly IdentifierHasher _hasher;
    private readonly ExposureIndexReader? _index;
    private readonly Dictionary<int, Breach> _breaches;

    private ExposureLookup(IdentifierHasher hasher, ExposureIndexReader? index, Manifest manifest, Dictionary<int, Breach> breaches)
    {
        _hasher = hasher;
        _index = index;
        Manifest = manifest;
        _breaches = breaches;
    }

    public Manifest Manifest { get; }

    /// <summary>Published breaches, oldest breach date first.</summary>
    public IReadOnlyList<Breach> Breaches { get; private init; } = [];

    public static ExposureLookup Open(string dataDir, KeyFile keys)
    {
        var store = new IndexStore(dataDir);
        var manifest = store.ReadManifest();
        if (manifest.KeyId is not null && manifest.KeyId != keys.KeyId)
        {
            throw new KeyFileException($"{keys.Path}: key file does not match the index (key id {keys.KeyId}, index built with {manifest.KeyId})");
        }

        var index = store.OpenPublished(manifest);
        List<Breach> published;
        if (File.Exists(Path.Combine(store.DataDir, BreachCatalog.FileName)))
        {
            using var catalog = BreachCatalog.OpenReadOnly(store.DataDir);
            published = catalog.Published(manifest.Breaches);
        }
        else
        {
            published = [];
        }

        var byId = new Dictionary<int, Breach>();
        foreach (var b in published)
        {
            byId[b.Id] = b;
        }

        return new ExposureLookup(new IdentifierHasher(keys), index, manifest, byId) { Breaches = published };
    }

    public Breach? FindBreach(string name)
    {
        foreach (var b in Breaches)
        {
            if (string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return b;
            }
        }

        return null;
    }

    /// <summary>Normalizes an account as typed (email, or phone in any common format) to its index key.</summary>
    public AccountKind TryKey(ReadOnlySpan<char> account, PhoneNormalizer phones, out UInt128 key) =>
        TryKey(account, new Lazy<PhoneNormalizer>(phones), out key);

    /// <inheritdoc cref="TryKey(ReadOnlySpan{char}, PhoneNormalizer, out UInt128)"/>
    public AccountKind TryKey(ReadOnlySpan<char> account, Lazy<PhoneNormalizer> phones, out UInt128 key)
    {
        account = account.Trim();
        if (account.Contains('@'))
        {
            Span<char> buffer = stackalloc char[EmailNormalizer.MaxLength];
            if (EmailNormalizer.TryNormalize(account, buffer, out var n))
            {
                key = _hasher.HashEmail(buffer[..n]);
                return AccountKind.Email;
            }
        }
        else if (phones.Value.TryNormalize(account, out var e164))
        {
            key = _hasher.HashPhone(e164);
            return AccountKind.Phone;
        }

        key = default;
        return AccountKind.Invalid;
    }

    /// <summary>Breaches holding this key, oldest breach date first.</summary>
    public List<Breach> Find(UInt128 key)
    {
        var result = new List<Breach>();
        if (_index is null)
        {
            return result;
        }

        foreach (var id in _index.Lookup(key))
        {
            if (_breaches.TryGetValue(id, out var b))
            {
                result.Add(b);
            }
        }

        result.Sort(static (a, b) => a.BreachDate != b.BreachDate ? a.BreachDate.CompareTo(b.BreachDate) : a.Id.CompareTo(b.Id));
        return result;
    }

    public void Dispose() => _index?.Dispose();
}
