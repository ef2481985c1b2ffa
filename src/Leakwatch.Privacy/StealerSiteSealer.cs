using System.Security.Cryptography;
using System.Text;
using Leakwatch.Core.Errors;
using Leakwatch.Index;

namespace Leakwatch.Privacy;

/// <summary>
/// Seals an email's stealer-log website domains for the website store. Each entry has its own AES-256-GCM key,
/// derived from a key-file subkey (<c>leakwatch/stealer-sites/v1</c>) and the entry's 80-bit index key the way
/// AES-GCM-SIV derives its message keys (RFC 8452 §4): the key-generating key encrypts two blocks holding a counter
/// and the index key, and the two results are the entry key. The index key is also bound as associated data:
/// without the key file a blob reveals nothing, and a blob moved to another key does not open. A key per entry also
/// keeps each key's random-nonce count tiny however many entries and merges there are. AES as the derivation (one
/// AES instance, two block encryptions) rather than HKDF, because a merge seals every touched entry and HKDF's
/// HMACs cost more than the sealing. Layout: version <c>1</c> || nonce (12, random) || tag (16) || domains joined
/// by '\n'. Not thread-safe (one per merging thread).
/// </summary>
public sealed class StealerSiteSealer : IDisposable
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;
    private readonly Aes _keyGenerator;
    private readonly byte[] _blocks = new byte[32];
    private readonly byte[] _entryKey = new byte[32];

    public StealerSiteSealer(KeyFile keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keyGenerator = Aes.Create();
        _keyGenerator.Key = keys.DeriveSubkey([], "leakwatch/stealer-sites/v1"u8, 32);
    }

    public void Dispose() => _keyGenerator.Dispose();

    public byte[] Seal(UInt128 indexKey, IReadOnlyList<string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        var plain = Encoding.UTF8.GetBytes(string.Join('\n', domains));
        Span<byte> ad = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(IndexKeys.Truncate(indexKey), ad);
        var output = new byte[Overhead + plain.Length];
        output[0] = Version;
        RandomNumberGenerator.Fill(output.AsSpan(1, NonceSize));
        using var aes = new AesGcm(EntryKey(ad), TagSize);
        aes.Encrypt(output.AsSpan(1, NonceSize), plain, output.AsSpan(Overhead), output.AsSpan(1 + NonceSize, TagSize), ad);
        return output;
    }

    /// <summary>The domains sealed for <paramref name="indexKey"/>, in the order sealed.</summary>
    /// <exception cref="LeakwatchException">Altered, or sealed under another key file or for another key.</exception>
    public string[] Open(UInt128 indexKey, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Overhead || blob[0] != Version)
        {
            throw new LeakwatchException(ErrorKind.DataDir, "stealer-log website store: an entry is not a sealed value this Leakwatch knows");
        }

        Span<byte> ad = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(IndexKeys.Truncate(indexKey), ad);
        var plain = new byte[blob.Length - Overhead];
        try
        {
            using var aes = new AesGcm(EntryKey(ad), TagSize);
            aes.Decrypt(blob.Slice(1, NonceSize), blob[Overhead..], blob.Slice(1 + NonceSize, TagSize), plain, ad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new LeakwatchException(ErrorKind.DataDir,
                "stealer-log website store: an entry does not open with this key file (altered, or sealed under another key)", e);
        }

        return plain.Length == 0 ? [] : Encoding.UTF8.GetString(plain).Split('\n');
    }

    /// <summary>Block i (i = 0, 1) is <c>[i u8][index key 10][zeros 5]</c>, encrypted under the key-generating key.</summary>
    private byte[] EntryKey(ReadOnlySpan<byte> indexKey)
    {
        Array.Clear(_blocks);
        for (var i = 0; i < 2; i++)
        {
            _blocks[16 * i] = (byte)i;
            indexKey.CopyTo(_blocks.AsSpan((16 * i) + 1));
        }

        _keyGenerator.EncryptEcb(_blocks, _entryKey, PaddingMode.None);
        return _entryKey;
    }
}
