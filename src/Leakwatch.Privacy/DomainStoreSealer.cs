using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Leakwatch.Core.Errors;
using Leakwatch.Index;

namespace Leakwatch.Privacy;

/// <summary>
/// The keys of the domain store (docs/organisations.md, "Domain store"). A domain is found by a 64-bit keyed tag
/// (HMAC-SHA256 under the key-file subkey <c>leakwatch/domain-tag/v1</c>), never by its name; its aliases are split
/// into pages, each an entry whose 80-bit key is the tag and a 16-bit page number (so a domain's pages are adjacent
/// in the sorted file). A page is AES-256-GCM sealed under the domain's own key (HMAC-SHA256 of the domain under the
/// subkey <c>leakwatch/domain-store/v1</c>) with the entry key as associated data: without the key file a page
/// reveals nothing, a page moved to another entry or domain does not open, and knowing one domain's key opens no
/// other domain. Layout of a sealed page: version <c>1</c> || nonce (12, random) || tag (16) || aliases, sorted and
/// joined by '\n'. Thread-safe (no state beyond the two subkeys).
/// </summary>
public sealed class DomainStoreSealer
{
    /// <summary>The most alias bytes in one page: a page stays far below the container's largest blob, and a
    /// domain with millions of aliases is many pages opened one at a time.</summary>
    public const int MaxPageBytes = 48 * 1024;

    /// <summary>The reserved name whose entry proves which key file wrote a store (no email domain is empty).</summary>
    public const string CheckDomain = "";

    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;
    private readonly byte[] _tagKey;
    private readonly byte[] _sealKey;

    public DomainStoreSealer(KeyFile keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _tagKey = keys.DeriveSubkey([], "leakwatch/domain-tag/v1"u8, 32);
        _sealKey = keys.DeriveSubkey([], "leakwatch/domain-store/v1"u8, 32);
    }

    /// <summary>The check entry's plaintext: opens only under the key file that wrote the store.</summary>
    public static ReadOnlySpan<byte> CheckText => "leakwatch-domain-store"u8;

    /// <summary>The keyed tag of a canonical domain (lower-case A-labels, no trailing dot).</summary>
    public ulong Tag(ReadOnlySpan<char> domain) => DomainTag.Of(_tagKey, domain);

    /// <summary>The 80-bit entry key of a domain's page (held like an index key, in the top bits).</summary>
    public static UInt128 EntryKey(ulong tag, int page) => new(tag, (ulong)(ushort)page << 48);

    public static ulong TagOf(UInt128 entryKey) => (ulong)(entryKey >> 64);

    public byte[] Seal(UInt128 entryKey, ReadOnlySpan<char> domain, ReadOnlySpan<byte> aliases)
    {
        var output = new byte[SealedLength(aliases.Length)];
        Seal(entryKey, domain, aliases, output);
        return output;
    }

    /// <summary>The sealed size of <paramref name="plainLength"/> bytes of aliases.</summary>
    public static int SealedLength(int plainLength) => Overhead + plainLength;

    /// <summary>Seals into <paramref name="output"/> (<see cref="SealedLength"/> bytes): a merge writing thousands
    /// of pages reuses one buffer instead of allocating each.</summary>
    public void Seal(UInt128 entryKey, ReadOnlySpan<char> domain, ReadOnlySpan<byte> aliases, Span<byte> output)
    {
        Span<byte> ad = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(IndexKeys.Truncate(entryKey), ad);
        output = output[..SealedLength(aliases.Length)];
        output[0] = Version;
        RandomNumberGenerator.Fill(output.Slice(1, NonceSize));
        using var aes = new AesGcm(DomainKey(domain), TagSize);
        aes.Encrypt(output.Slice(1, NonceSize), aliases, output[Overhead..], output.Slice(1 + NonceSize, TagSize), ad);
    }

    /// <summary>The page's aliases, '\n'-joined UTF-8.</summary>
    /// <exception cref="LeakwatchException">Altered, or sealed under another key file, domain or entry.</exception>
    public byte[] Open(UInt128 entryKey, ReadOnlySpan<char> domain, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Overhead || blob[0] != Version)
        {
            throw new LeakwatchException(ErrorKind.DataDir, "domain store: an entry is not a sealed value this Leakwatch knows");
        }

        Span<byte> ad = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(IndexKeys.Truncate(entryKey), ad);
        var plain = new byte[blob.Length - Overhead];
        try
        {
            using var aes = new AesGcm(DomainKey(domain), TagSize);
            aes.Decrypt(blob.Slice(1, NonceSize), blob[Overhead..], blob.Slice(1 + NonceSize, TagSize), plain, ad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new LeakwatchException(ErrorKind.DataDir,
                "domain store: an entry does not open with this key file (altered, or sealed under another key)", e);
        }

        return plain;
    }

    private byte[] DomainKey(ReadOnlySpan<char> domain)
    {
        Span<byte> utf8 = stackalloc byte[1024];
        var n = Encoding.UTF8.GetBytes(domain, utf8);
        var key = new byte[32];
        HMACSHA256.HashData(_sealKey, utf8[..n], key);
        return key;
    }
}
