using System.Security.Cryptography;
using Leakwatch.Core.Errors;

namespace Leakwatch.Privacy;

/// <summary>
/// Seals one small value for a state-store column (an address needed for delivery, a webhook secret) with
/// AES-256-GCM under a key-file subkey for one purpose, so the state store alone (a SQLite file, a PostgreSQL dump)
/// reveals nothing. Layout: version byte <c>1</c> || nonce (12, random) || tag (16) || ciphertext. The purpose and the
/// caller's context (e.g. the column) are bound as associated data: a value sealed for one column does not open as
/// another's.
/// </summary>
public sealed class FieldSealer
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;
    private readonly byte[] _key;
    private readonly byte[] _purpose;

    /// <param name="keys">The key file; the subkey is HKDF-SHA256 of its index key with info <c>leakwatch/seal/PURPOSE/v1</c>.</param>
    /// <param name="purpose">What is sealed, e.g. <c>address</c> or <c>webhook-secret</c>.</param>
    public FieldSealer(KeyFile keys, string purpose)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _purpose = System.Text.Encoding.UTF8.GetBytes(purpose);
        _key = keys.DeriveSubkey([], System.Text.Encoding.UTF8.GetBytes($"leakwatch/seal/{purpose}/v1"), 32);
    }

    public byte[] Seal(ReadOnlySpan<byte> plain, ReadOnlySpan<byte> context = default)
    {
        var output = new byte[Overhead + plain.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(Overhead), output.AsSpan(1 + NonceSize, TagSize), AssociatedData(context));
        return output;
    }

    /// <summary>Opens what <see cref="Seal"/> made with the same key file, purpose and context; a value sealed under
    /// another key file, altered, or for another column fails with a one-line error naming <paramref name="what"/>.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedValue, string what, ReadOnlySpan<byte> context = default)
    {
        if (sealedValue.Length < Overhead || sealedValue[0] != Version)
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"{what}: not a sealed value this Leakwatch knows");
        }

        var plain = new byte[sealedValue.Length - Overhead];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue[Overhead..], sealedValue.Slice(1 + NonceSize, TagSize), plain,
                AssociatedData(context));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"{what}: does not open with this key file (altered, or sealed under another key)", e);
        }

        return plain;
    }

    private byte[] AssociatedData(ReadOnlySpan<byte> context)
    {
        var ad = new byte[_purpose.Length + 1 + context.Length];
        _purpose.CopyTo(ad, 0);
        context.CopyTo(ad.AsSpan(_purpose.Length + 1));
        return ad;
    }
}
