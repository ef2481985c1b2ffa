using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Leakwatch.Core.Errors;
using Leakwatch.Index;

namespace Leakwatch.Privacy;

/// <summary>
/// Seals the entries of the stealer-log stores (an email's website domains; an email domain's or a website's pages)
/// under AES-256-GCM. Version 2 (what <see cref="Seal(UInt128, ReadOnlySpan{byte})"/> writes): one key per store
/// generation (<see cref="StealerSealSession"/>: a random salt, HKDF from the key file), one AES-GCM context per
/// sealer (one per thread), a counter nonce that never repeats under that key, and the entry's 80-bit index key as
/// associated data, so a blob moved to another key does not open. Layout: <c>2</c> || salt (16) || nonce (12) ||
/// tag (16) || ciphertext. Version 1 (the first website stores, still opened): a key per entry derived by AES from
/// <c>leakwatch/stealer-sites/v1</c> and the index key (RFC 8452 §4 style), <c>1</c> || nonce (12, random) || tag
/// (16) || domains; it cost a key schedule, a key derivation and a getrandom call per entry, 12.5 µs, which is why
/// version 2 exists. Not thread-safe (one per thread; sealers of one session share its key and counter).
/// </summary>
public sealed unsafe class StealerSiteSealer : IDisposable
{
    /// <summary>Plaintexts up to this size are sealed without the P/Invoke's GC mode switch.</summary>
    private const int ShortPlainBytes = 4096;
    /// <summary>The website store's subkey context for version-2 blobs.</summary>
    public const string SitesContext = "leakwatch/stealer-sites/v2";

    /// <summary>The store by email domain's subkey context.</summary>
    public const string EmailDomainsContext = "leakwatch/stealer-by-email-domain/v1";

    /// <summary>The store by website domain's subkey context.</summary>
    public const string WebsitesContext = "leakwatch/stealer-by-website/v1";

    private const byte Version1 = 1;
    private const byte Version2 = 2;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead1 = 1 + NonceSize + TagSize;
    private const int Overhead2 = 1 + StealerSealSession.SaltSize + NonceSize + TagSize;
    private readonly StealerSealSession _session;
    private readonly AesGcm _aes;
    private readonly byte[] _salt;
    private readonly Dictionary<UInt128, AesGcm> _openers = [];
    private Aes? _v1KeyGenerator;
    /// <summary>libsodium's expanded AES-GCM key (aligned native memory) when the CPU has AES-NI and PCLMUL, else null
    /// and <see cref="_aes"/> seals. Same cipher, same bytes: only OpenSSL's per-call overhead is saved.</summary>
    private byte* _sodiumState;

    /// <summary>A sealer of the website store with a session of its own (one generation, one thread).</summary>
    public StealerSiteSealer(KeyFile keys)
        : this(new StealerSealSession(keys, SitesContext))
    {
    }

    /// <summary>One thread's sealer of <paramref name="session"/>'s generation.</summary>
    public StealerSiteSealer(StealerSealSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        _aes = new AesGcm(session.Key, TagSize);
        _salt = session.Salt;
        _openers[SaltOf(_salt)] = _aes;
        if (Sodium.crypto_aead_aes256gcm_is_available() == 1)
        {
            _sodiumState = (byte*)NativeMemory.AlignedAlloc(Sodium.crypto_aead_aes256gcm_statebytes(), 16);
            fixed (byte* key = session.Key)
            {
                Sodium.crypto_aead_aes256gcm_beforenm(_sodiumState, key);
            }
        }
    }

    /// <summary>Bytes a sealed blob adds to its plaintext.</summary>
    public static int Overhead => Overhead2;

    public void Dispose()
    {
        foreach (var aes in _openers.Values)
        {
            aes.Dispose();
        }

        _v1KeyGenerator?.Dispose();
        if (_sodiumState is not null)
        {
            NativeMemory.Clear(_sodiumState, Sodium.crypto_aead_aes256gcm_statebytes());
            NativeMemory.AlignedFree(_sodiumState);
            _sodiumState = null;
        }
    }

    public byte[] Seal(UInt128 indexKey, IReadOnlyList<string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        return Seal(indexKey, Encoding.UTF8.GetBytes(string.Join('\n', domains)));
    }

    public byte[] Seal(UInt128 indexKey, ReadOnlySpan<byte> plain)
    {
        var output = new byte[Overhead2 + plain.Length];
        Seal(indexKey, plain, output);
        return output;
    }

    /// <summary>Seals into <paramref name="output"/>, exactly <see cref="Overhead"/> + plaintext bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Seal(UInt128 indexKey, ReadOnlySpan<byte> plain, Span<byte> output)
    {
        Span<byte> ad = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(IndexKeys.Truncate(indexKey), ad);
        output[0] = Version2;
        _salt.CopyTo(output[1..]);
        var nonce = output.Slice(1 + StealerSealSession.SaltSize, NonceSize);
        _session.NextNonce(nonce);
        var tag = output.Slice(1 + StealerSealSession.SaltSize + NonceSize, TagSize);
        var cipher = output.Slice(Overhead2, plain.Length);
        if (_sodiumState is null)
        {
            _aes.Encrypt(nonce, plain, cipher, tag, ad);
            return;
        }

        fixed (byte* c = cipher, t = tag, m = plain, a = ad, n = nonce)
        {
            ulong tagLength;
            var result = plain.Length <= ShortPlainBytes
                ? Sodium.crypto_aead_aes256gcm_encrypt_detached_afternm_short(c, t, &tagLength, m, (ulong)plain.Length, a, (ulong)ad.Length, null, n, _sodiumState)
                : Sodium.crypto_aead_aes256gcm_encrypt_detached_afternm(c, t, &tagLength, m, (ulong)plain.Length, a, (ulong)ad.Length, null, n, _sodiumState);
            if (result != 0 || tagLength != TagSize)
            {
                throw new CryptographicException("AES-GCM sealing failed");
            }
        }
    }

    /// <summary>The domains sealed for <paramref name="indexKey"/>, in the order sealed.</summary>
    /// <exception cref="LeakwatchException">Altered, or sealed under another key file or for another key.</exception>
    public string[] Open(UInt128 indexKey, ReadOnlySpan<byte> blob)
    {
        var plain = OpenBytes(indexKey, blob);
        return plain.Length == 0 ? [] : Encoding.UTF8.GetString(plain).Split('\n');
    }

    /// <summary>The plaintext sealed for <paramref name="indexKey"/>.</summary>
    /// <exception cref="LeakwatchException">Altered, or sealed under another key file or for another key.</exception>
    public byte[] OpenBytes(UInt128 indexKey, ReadOnlySpan<byte> blob)
    {
        Span<byte> ad = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(IndexKeys.Truncate(indexKey), ad);
        try
        {
            if (blob.Length >= Overhead2 && blob[0] == Version2)
            {
                var plain = new byte[blob.Length - Overhead2];
                var aes = OpenerFor(blob.Slice(1, StealerSealSession.SaltSize));
                aes.Decrypt(blob.Slice(1 + StealerSealSession.SaltSize, NonceSize), blob[Overhead2..],
                    blob.Slice(1 + StealerSealSession.SaltSize + NonceSize, TagSize), plain, ad);
                return plain;
            }

            if (blob.Length >= Overhead1 && blob[0] == Version1 && string.Equals(_session.Context, SitesContext, StringComparison.Ordinal))
            {
                var plain = new byte[blob.Length - Overhead1];
                using var aes = new AesGcm(V1EntryKey(ad), TagSize);
                aes.Decrypt(blob.Slice(1, NonceSize), blob[Overhead1..], blob.Slice(1 + NonceSize, TagSize), plain, ad);
                return plain;
            }
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new LeakwatchException(ErrorKind.DataDir,
                "stealer-log store: an entry does not open with this key file (altered, or sealed under another key)", e);
        }

        throw new LeakwatchException(ErrorKind.DataDir, "stealer-log store: an entry is not a sealed value this Leakwatch knows");
    }

    private static UInt128 SaltOf(ReadOnlySpan<byte> salt) => System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(salt);

    /// <summary>The AES-GCM context of the generation that sealed a blob: derived once per salt and kept (a store
    /// holds blobs of as many generations as wrote to it).</summary>
    private AesGcm OpenerFor(ReadOnlySpan<byte> salt)
    {
        var id = SaltOf(salt);
        if (!_openers.TryGetValue(id, out var aes))
        {
            aes = new AesGcm(StealerSealSession.DeriveKey(_session.Keys, _session.Context, salt), TagSize);
            _openers[id] = aes;
        }

        return aes;
    }

    /// <summary>Version 1: block i (i = 0, 1) is <c>[i u8][index key 10][zeros 5]</c>, encrypted under the key-generating key.</summary>
    private byte[] V1EntryKey(ReadOnlySpan<byte> indexKey)
    {
        if (_v1KeyGenerator is null)
        {
            _v1KeyGenerator = Aes.Create();
            _v1KeyGenerator.Key = _session.Keys.DeriveSubkey([], "leakwatch/stealer-sites/v1"u8, 32);
        }

        var blocks = new byte[32];
        for (var i = 0; i < 2; i++)
        {
            blocks[16 * i] = (byte)i;
            indexKey.CopyTo(blocks.AsSpan((16 * i) + 1));
        }

        return _v1KeyGenerator.EncryptEcb(blocks, PaddingMode.None);
    }

    /// <summary>A version-1 blob, as the first website stores wrote them: for the test that such stores still open.</summary>
    public static byte[] SealVersion1ForTests(KeyFile keys, UInt128 indexKey, IReadOnlyList<string> domains)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(domains);
        var plain = Encoding.UTF8.GetBytes(string.Join('\n', domains));
        Span<byte> ad = stackalloc byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(IndexKeys.Truncate(indexKey), ad);
        using var sealer = new StealerSiteSealer(keys);
        var output = new byte[Overhead1 + plain.Length];
        output[0] = Version1;
        RandomNumberGenerator.Fill(output.AsSpan(1, NonceSize));
        using var aes = new AesGcm(sealer.V1EntryKey(ad), TagSize);
        aes.Encrypt(output.AsSpan(1, NonceSize), plain, output.AsSpan(Overhead1), output.AsSpan(1 + NonceSize, TagSize), ad);
        return output;
    }
}
