namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// The private index's encryption at rest: XChaCha20 over the entries section under a key derived from the OPRF
/// key's seed and a random nonce per generation. A bucket is a whole number of 64-byte blocks (bucketEntries is a
/// multiple of 16, an entry 48 bytes), so bucket k is en/decrypted alone at block counter k·bucketBytes/64.
/// </summary>
public static unsafe class PrivateAtRestCipher
{
    public const int KeySize = 32;

    /// <summary>XORs the keystream of the entries section at <paramref name="entriesOffset"/> (a multiple of 64) over
    /// <paramref name="data"/> into <paramref name="output"/> (which may be <paramref name="data"/>).</summary>
    public static void Apply(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, long entriesOffset, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (key.Length != KeySize || nonce.Length != PrivateIndexFormat.CipherNonceSize || entriesOffset % 64 != 0 || output.Length < data.Length)
        {
            throw new ArgumentException("bad at-rest cipher parameters", nameof(data));
        }

        Sodium.EnsureInitialized();
        fixed (byte* k = key)
        fixed (byte* n = nonce)
        fixed (byte* d = data)
        fixed (byte* o = output)
        {
            _ = Sodium.crypto_stream_xchacha20_xor_ic(o, d, (ulong)data.Length, n, (ulong)(entriesOffset / 64), k);
        }
    }
}
