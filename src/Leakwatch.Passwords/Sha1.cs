using Org.BouncyCastle.Crypto.Digests;

namespace Leakwatch.Passwords;

/// <summary>
/// SHA-1 (FIPS 180-4), one-shot, managed, through BouncyCastle's <see cref="Sha1Digest"/>, one digest per thread.
/// Stealer-log ingests hash one short password per line; through OpenSSL 3 every such call paid more for the
/// provider's per-call work (context allocation, algorithm fetch, error queue clearing) than for the one block it
/// hashes, so short inputs are hashed here. Same digest as
/// <see cref="System.Security.Cryptography.SHA1.HashData(ReadOnlySpan{byte}, Span{byte})"/>.
/// </summary>
internal static class Sha1
{
    public const int HashSize = 20;

    [ThreadStatic]
    private static Sha1Digest? t_digest;

    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException("destination must hold 20 bytes", nameof(destination));
        }

        var digest = t_digest ??= new Sha1Digest();
        digest.BlockUpdate(data);
        digest.DoFinal(destination); // also resets the digest for the next call
    }
}
