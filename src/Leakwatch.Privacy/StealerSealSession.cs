using System.Security.Cryptography;

namespace Leakwatch.Privacy;

/// <summary>
/// The sealing key of one stealer-log store generation: a fresh random 128-bit salt, the AES-256-GCM key derived
/// from a key-file subkey context and that salt (HKDF, once), and the nonce counter every sealer of the session
/// draws from. The salt travels in every blob sealed under it, so blobs copied untouched from older generations
/// still name their own key. A nonce is the counter's next value (atomic, shared by all threads), so it cannot
/// repeat under one key; a new session (a new salt, a new key) starts the count again. Thread-safe.
/// </summary>
public sealed class StealerSealSession
{
    public const int SaltSize = 16;
    private long _counter;

    public StealerSealSession(KeyFile keys, string context)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(context);
        Keys = keys;
        Context = context;
        Salt = RandomNumberGenerator.GetBytes(SaltSize);
        Key = DeriveKey(keys, context, Salt);
    }

    public KeyFile Keys { get; }

    /// <summary>The key-file subkey context: one per store (<c>leakwatch/stealer-sites/v2</c>, ...).</summary>
    public string Context { get; }

    public byte[] Salt { get; }

    internal byte[] Key { get; }

    /// <summary>Writes the next nonce: 4 zero bytes, then the counter (big-endian).</summary>
    internal void NextNonce(Span<byte> nonce12)
    {
        var n = Interlocked.Increment(ref _counter);
        nonce12[..4].Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(nonce12[4..], n);
    }

    internal static byte[] DeriveKey(KeyFile keys, string context, ReadOnlySpan<byte> salt) =>
        keys.DeriveSubkey(salt, System.Text.Encoding.UTF8.GetBytes(context), 32);
}
