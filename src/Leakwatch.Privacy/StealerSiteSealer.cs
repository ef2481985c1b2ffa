using System.Security.Cryptography;
using System.Text;
using Leakwatch.Core.Errors;
using Leakwatch.Index;

namespace Leakwatch.Privacy;

/// <summary>
/// Seals an email's stealer-log website domains for the website store. Each entry has its own AES-256-GCM key,
/// HKDF-SHA256 of a key-file subkey (<c>leakwatch/stealer-sites/v1</c>) with the entry's 80-bit index key as info, and
/// the index key is bound as associated data: without the key file a blob reveals nothing, and a blob moved to
/// another key does not open. Layout: version <c>1</c> || nonce (12, random) || tag (16) || domains joined by '\n'.
/// </summary>
public sealed class StealerSiteSealer
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;
    private readonly byte[] _master;

    public StealerSiteSealer(KeyFile keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _master = keys.DeriveSubkey([], "leakwatch/stealer-sites/v1"u8, 32);
    }

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

    private byte[] EntryKey(ReadOnlySpan<byte> indexKey)
    {
        var key = new byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, _master, key, indexKey);
        return key;
    }
}
