using System.Security.Cryptography;
using Leakwatch.Privacy;

namespace Leakwatch.Notify;

/// <summary>
/// The tokens in mailed links. The state store keeps only their SHA-256 (<see cref="Hash"/>), so a copy of it opens
/// no link. A verification token is random and used once. An unsubscribe token is derived from the key file and the
/// identifier's index key (HMAC-SHA256 under the subkey <c>leakwatch/unsubscribe/v1</c>): every mail to a
/// subscription carries the same working link without the token being stored anywhere.
/// </summary>
public sealed class NotifyTokens
{
    private readonly byte[] _unsubscribeKey;

    public NotifyTokens(KeyFile keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _unsubscribeKey = keys.DeriveSubkey([], "leakwatch/unsubscribe/v1"u8, 32);
    }

    /// <summary>A fresh random token: 32 bytes, base64url without padding (43 characters).</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The unsubscribe token of the subscription whose index key is <paramref name="matchKey"/>.</summary>
    public string UnsubscribeToken(ReadOnlySpan<byte> matchKey)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_unsubscribeKey, matchKey, mac);
        return Base64Url(mac);
    }

    /// <summary>What the store keeps of a token: SHA-256 of its ASCII text.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token));

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
