using Org.BouncyCastle.Crypto.Digests;

namespace Leakwatch.Passwords;

/// <summary>
/// MD4 (RFC 1320), one-shot, through BouncyCastle's <see cref="MD4Digest"/> (.NET ships no MD4; NTLM hashes are MD4
/// over the UTF-16LE password), one digest per thread. Only for computing NTLM hashes of known passwords: MD4 is
/// broken and must not be used for anything else.
/// </summary>
internal static class Md4
{
    public const int HashSize = 16;

    [ThreadStatic]
    private static MD4Digest? t_digest;

    public static byte[] HashData(ReadOnlySpan<byte> data)
    {
        var hash = new byte[HashSize];
        HashData(data, hash);
        return hash;
    }

    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException("destination must hold 16 bytes", nameof(destination));
        }

        var digest = t_digest ??= new MD4Digest();
        digest.BlockUpdate(data);
        digest.DoFinal(destination); // also resets the digest for the next call
    }
}
