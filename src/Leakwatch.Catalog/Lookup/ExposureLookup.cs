using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;

namespace Leakwatch.Catalog.Lookup;

/// <summary>
/// Answers "in which breaches is this account?" from the published index: the same normalizer and keyed
/// hasher as ingest, then one index seek. Holds the index mapped and the catalogue in memory; thread-safe.
/// </summary>
public sealed class ExposureLookup : IDisposable
{
    private readonly IdentifierHasher _hasher;
    private readonly ExposureIndexReader? _index;
    // The catalogue is read on first need: a one-shot `check` of an account in no breach never opens SQLite.
    // A class, not a value tuple: Lazy over a value tuple is a generic instantiation our ReadyToRun image
    // cannot hold, so it would be JIT-compiled on every cold start.
    private readonly Lazy<CatalogView> _catalog;

    private ExposureLookup(IdentifierHasher hasher, ExposureIndexReader? index, Manifest manifest, string dataDir, StateLocation state)
    {
        _hasher = hasher;
        _index = index;
        Manifest = manifest;
        _catalog = new(() => LoadCatalog(dataDir, manifest, state), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public Manifest Manifest { get; }

    /// <summary>Published breaches, oldest breach date first.</summary>
    public IReadOnlyList<Breach> Breaches => _catalog.Value.List;

    private sealed record CatalogView(List<Breach> List, Dictionary<int, Breach> ById);

    private static CatalogView LoadCatalog(string dataDir, Manifest manifest, StateLocation state)
    {
        // The snapshot beside the manifest spares a one-shot `check` loading SQLite; the catalogue is the fallback.
        // A shared store is written from anywhere (`breach set` on another machine), so only its rows are the truth.
        var published = manifest.Breaches.Length == 0 ? [] : state.IsEmbedded ? PublishedBreachSnapshot.TryRead(dataDir, manifest.Generation) : null;
        if (published is null)
        {
            using var catalog = StateStore.OpenReadOnly(state, dataDir);
            published = catalog?.PublishedBreaches(manifest.Breaches);
        }

        published ??= [];

        var byId = new Dictionary<int, Breach>();
        foreach (var b in published)
        {
            byId[b.Id] = b;
        }

        return new CatalogView(published, byId);
    }

    /// <param name="state">Where the breach rows are; null is <c>catalog.db</c> in the data dir.</param>
    public static ExposureLookup Open(string dataDir, KeyFile keys, StateLocation? state = null)
    {
        var store = new ExposureIndexStore(dataDir);
        var manifest = store.ReadManifest();
        if (manifest.KeyId is not null && manifest.KeyId != keys.KeyId)
        {
            throw new KeyFileException($"{keys.Path}: key file does not match the index (key id {keys.KeyId}, index built with {manifest.KeyId})");
        }

        var index = store.OpenPublished(manifest);
        return new ExposureLookup(new IdentifierHasher(keys), index, manifest, store.DataDir, state ?? StateLocation.Embedded);
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
        TryKey(account, phones, null, out key);

    /// <summary>As above, creating the phone normalizer (libphonenumber's metadata) only if a phone is given.</summary>
    public AccountKind TryKey(ReadOnlySpan<char> account, Lazy<PhoneNormalizer> phones, out UInt128 key) =>
        TryKey(account, null, phones, out key);

    /// <summary>
    /// As above for an account given as UTF-8 (a line of a bulk check): an email of printable ASCII is normalised
    /// and hashed as bytes (<see cref="EmailNormalizer.TryNormalizeAscii"/>); anything else is decoded (invalid
    /// UTF-8 as U+FFFD) and goes the way of a typed account. The same key and kind either way.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public AccountKind TryKeyUtf8(ReadOnlySpan<byte> account, Lazy<PhoneNormalizer> phones, out UInt128 key)
    {
        if (IsAsciiEmailShape(account))
        {
            Span<byte> normalized = stackalloc byte[EmailNormalizer.MaxLength];
            if (EmailNormalizer.TryNormalizeAscii(account, normalized, out var n))
            {
                key = _hasher.HashEmailUtf8(normalized[..n]);
                return AccountKind.Email;
            }

            key = default;
            return AccountKind.Invalid;
        }

        const int StackChars = 256;
        char[]? rented = null;
        var chars = account.Length <= StackChars ? stackalloc char[StackChars] : (rented = ArrayPool<char>.Shared.Rent(account.Length));
        try
        {
            return TryKey(chars[..Encoding.UTF8.GetChars(account, chars)], null, phones, out key);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>An '@' and only printable ASCII without spaces: a plain loop, as lines are short (see
    /// <see cref="EmailNormalizer.TryNormalizeAscii"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAsciiEmailShape(ReadOnlySpan<byte> account)
    {
        var at = false;
        foreach (var b in account)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return false;
            }

            at |= b == '@';
        }

        return at;
    }

    private AccountKind TryKey(ReadOnlySpan<char> account, PhoneNormalizer? phones, Lazy<PhoneNormalizer>? lazyPhones, out UInt128 key)
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
        else if ((phones ?? lazyPhones!.Value).TryNormalize(account, out var e164))
        {
            key = _hasher.HashPhone(e164);
            return AccountKind.Phone;
        }

        key = default;
        return AccountKind.Invalid;
    }

    /// <summary>The index key of an email already normalized (as the domain store gives its addresses back).</summary>
    public UInt128 KeyOfNormalizedEmail(ReadOnlySpan<char> normalizedEmail) => _hasher.HashEmail(normalizedEmail);

    /// <summary>Breaches holding this key, oldest breach date first.</summary>
    public List<Breach> Find(UInt128 key) => SetBreaches(FindSet(key));

    /// <summary>The id of the breach set holding this key in the index, or -1 (bulk checks render each set once).</summary>
    public int FindSet(UInt128 key) => _index?.FindSetId(key) ?? -1;

    /// <summary>A hint to start loading what <see cref="FindSet"/> will read for this key (see
    /// <see cref="ExposureIndexReader.Prefetch"/>).</summary>
    public void Prefetch(UInt128 key, PrefetchStage stage) => _index?.Prefetch(key, stage);

    /// <summary>How many breach sets the index has (set ids are 0 to this, exclusive).</summary>
    public int SetCount => _index?.SetCount ?? 0;

    /// <summary>The published breaches of a breach set, oldest breach date first; empty for -1.</summary>
    public List<Breach> SetBreaches(int set)
    {
        var result = new List<Breach>();
        if (_index is null || set < 0)
        {
            return result;
        }

        var byId = _catalog.Value.ById;
        foreach (var id in _index.Sets[set])
        {
            if (byId.TryGetValue(id, out var b))
            {
                result.Add(b);
            }
        }

        result.Sort(static (a, b) => a.BreachDate != b.BreachDate ? a.BreachDate.CompareTo(b.BreachDate) : a.Id.CompareTo(b.Id));
        return result;
    }

    public void Dispose() => _index?.Dispose();
}
