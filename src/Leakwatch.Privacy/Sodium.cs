using System.Runtime.InteropServices;

namespace Leakwatch.Privacy;

/// <summary>P/Invoke into the native libsodium shipped by the <c>libsodium</c> NuGet package.</summary>
internal static unsafe partial class Sodium
{
    private const string Lib = "libsodium";

    static Sodium()
    {
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise");
        }
    }

    /// <summary>Forces the static constructor (sodium_init) before first use from any thread.</summary>
    public static void EnsureInitialized() { }

    [LibraryImport(Lib)]
    private static partial int sodium_init();

    /// <summary>SipHash-2-4 with a 128-bit key and 128-bit output: a fast keyed PRF for short inputs.
    /// Called three times per ingested row; it runs for tens of nanoseconds, never blocks, never calls back
    /// and touches only pinned buffers, so the GC mode switch of a normal P/Invoke (about as costly as the
    /// hash itself) is skipped.</summary>
    [LibraryImport(Lib)]
    [System.Runtime.InteropServices.SuppressGCTransition]
    public static partial int crypto_shorthash_siphashx24(byte* output, byte* input, ulong inputLength, byte* key);

    [LibraryImport(Lib)]
    public static partial void randombytes_buf(byte* buffer, nuint size);

    /// <summary>XChaCha20 keystream XORed over <paramref name="input"/>, starting at 64-byte block
    /// <paramref name="blockCounter"/>: the private index's at-rest cipher, decrypted one bucket at a time.</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_stream_xchacha20_xor_ic(byte* output, byte* input, ulong length, byte* nonce, ulong blockCounter, byte* key);

    // ristretto255 (RFC 9496) for the OPRF. Elements and scalars are 32 bytes; scalars are little-endian mod L.

    /// <summary>The one-way map from 64 uniform bytes to a group element (hash_to_ristretto255's map step).</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_core_ristretto255_from_hash(byte* point, byte* hash64);

    /// <summary>1 for a canonical encoding of a group element (the identity included), 0 otherwise.</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_core_ristretto255_is_valid_point(byte* point);

    /// <summary>-1 when the point does not decode or the product is the identity.</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_scalarmult_ristretto255(byte* result, byte* scalar, byte* point);

    /// <summary>-1 when the product is the identity (scalar 0 mod L).</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_scalarmult_ristretto255_base(byte* result, byte* scalar);

    /// <summary>A uniformly random non-zero scalar.</summary>
    [LibraryImport(Lib)]
    public static partial void crypto_core_ristretto255_scalar_random(byte* scalar);

    /// <summary>-1 for the zero scalar.</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_core_ristretto255_scalar_invert(byte* result, byte* scalar);

    /// <summary>Reduces a 64-byte little-endian integer mod L.</summary>
    [LibraryImport(Lib)]
    public static partial void crypto_core_ristretto255_scalar_reduce(byte* result, byte* wide64);

    [LibraryImport(Lib)]
    public static partial void crypto_core_ristretto255_scalar_mul(byte* result, byte* x, byte* y);

    // AES-256-GCM (standard GCM, 96-bit nonce, 128-bit tag: what AesGcm writes), for the stealer-log stores' many
    // small entries, where OpenSSL's per-call costs (error queue clearing on every P/Invoke) outweighed the cipher.

    /// <summary>1 when the CPU has AES-NI and PCLMUL (libsodium's AES-GCM needs both).</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_aead_aes256gcm_is_available();

    [LibraryImport(Lib)]
    public static partial nuint crypto_aead_aes256gcm_statebytes();

    /// <summary>Expands <paramref name="key"/> (32 bytes) into <paramref name="state"/> (16-byte aligned), read-only afterwards.</summary>
    [LibraryImport(Lib)]
    public static partial int crypto_aead_aes256gcm_beforenm(byte* state, byte* key);

    /// <summary>Seals a short message (a few KiB at most: microseconds), so the GC mode switch is skipped.</summary>
    [LibraryImport(Lib, EntryPoint = "crypto_aead_aes256gcm_encrypt_detached_afternm")]
    [System.Runtime.InteropServices.SuppressGCTransition]
    public static partial int crypto_aead_aes256gcm_encrypt_detached_afternm_short(byte* c, byte* mac, ulong* macLength, byte* m,
        ulong mLength, byte* ad, ulong adLength, byte* nsec, byte* npub, byte* state);

    [LibraryImport(Lib)]
    public static partial int crypto_aead_aes256gcm_encrypt_detached_afternm(byte* c, byte* mac, ulong* macLength, byte* m,
        ulong mLength, byte* ad, ulong adLength, byte* nsec, byte* npub, byte* state);
}
