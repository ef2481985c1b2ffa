using System.Collections.Frozen;
using System.Runtime.InteropServices;
using Leakwatch.Catalog;

namespace Leakwatch.Server;

/// <summary>The active (unrevoked) keys, found by the SHA-256 of the presented key; an immutable snapshot.</summary>
internal sealed class ApiKeyRing
{
    public static readonly ApiKeyRing Empty = new([]);

    private readonly FrozenDictionary<UInt128, (byte[] Hash, ApiClient Client)> _byHash;

    public ApiKeyRing(IEnumerable<ApiKey> keys)
    {
        var d = new Dictionary<UInt128, (byte[], ApiClient)>();
        foreach (var k in keys)
        {
            if (!k.IsRevoked && k.Hash.Length == 32)
            {
                d[Prefix(k.Hash)] = (k.Hash, new ApiClient(k));
            }
        }

        _byHash = d.ToFrozenDictionary();
        Count = d.Count;
    }

    public int Count { get; }

    public static bool IsTestKey(ReadOnlySpan<char> key)
    {
        if (key.Length != ApiKeySecret.KeyLength)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c != '0')
            {
                return false;
            }
        }

        return true;
    }

    public ApiClient? Find(ReadOnlySpan<char> key)
    {
        Span<byte> hash = stackalloc byte[32];
        if (!ApiKeySecret.TryHash(key, hash))
        {
            return null;
        }

        return _byHash.TryGetValue(Prefix(hash), out var e) && e.Hash.AsSpan().SequenceEqual(hash) ? e.Client : null;
    }

    private static UInt128 Prefix(ReadOnlySpan<byte> hash) => MemoryMarshal.Read<UInt128>(hash);
}
