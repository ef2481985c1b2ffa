namespace Leakwatch.Privacy;

/// <summary>
/// The keyed tags that find a domain's pages in the stealer-log domain stores: HMAC-SHA256 under a key-file subkey,
/// one context per store (an email domain's tag and the same name's website tag differ), truncated to 64 bits. The
/// stores hold tags, never a domain; without the key file a tag cannot be computed from a guessed domain. 64 bits:
/// two domains collide with probability ~n²/2⁶⁵, negligible for any number of domains a store will hold.
/// Thread-safe.
/// </summary>
public sealed class StealerTagger
{
    private readonly byte[] _emailDomainKey;
    private readonly byte[] _websiteKey;

    public StealerTagger(KeyFile keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _emailDomainKey = keys.DeriveSubkey([], "leakwatch/stealer-email-domain-tag/v1"u8, 32);
        _websiteKey = keys.DeriveSubkey([], "leakwatch/stealer-website-tag/v1"u8, 32);
    }

    /// <summary>The tag of an email domain (as <see cref="Core.EmailNormalizer"/> writes it: lowercase ASCII).</summary>
    public ulong EmailDomain(string domain) => Tag(_emailDomainKey, domain);

    /// <summary>The tag of a website domain (as the stealer-log parser writes it: lowercase, without <c>www.</c>).</summary>
    public ulong Website(string domain) => Tag(_websiteKey, domain);

    private static ulong Tag(byte[] key, string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return DomainTag.Of(key, domain);
    }
}
