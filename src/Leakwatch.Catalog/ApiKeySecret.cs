using System.Security.Cryptography;

namespace Leakwatch.Catalog;

/// <summary>
/// HIBP-style API keys: 32 hex characters of random 128 bits. Only the SHA-256 of a key is stored: an unsalted hash is
/// enough for a random key (it cannot be brute-forced), and it lets a server find the key in one dictionary probe.
/// </summary>
public static class ApiKeySecret
{
    public const int KeyLength = 32;
    public const int DefaultRpm = 10;

    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyLength / 2));

    /// <summary>SHA-256 of the key text lowercased.</summary>
    /// <exception cref="ArgumentException">The text is not 32 hex characters.</exception>
    public static byte[] Hash(ReadOnlySpan<char> key)
    {
        var hash = new byte[32];
        if (!TryHash(key, hash))
        {
            throw new ArgumentException("an API key is 32 hexadecimal characters", nameof(key));
        }

        return hash;
    }

    /// <summary>Allocation-free form of <see cref="Hash"/> for the request path; false when not 32 hex characters.</summary>
    public static bool TryHash(ReadOnlySpan<char> key, Span<byte> hash32)
    {
        if (key.Length != KeyLength)
        {
            return false;
        }

        Span<byte> ascii = stackalloc byte[KeyLength];
        for (var i = 0; i < KeyLength; i++)
        {
            var c = key[i];
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }

            ascii[i] = (byte)char.ToLowerInvariant(c);
        }

        SHA256.HashData(ascii, hash32);
        return true;
    }
}
