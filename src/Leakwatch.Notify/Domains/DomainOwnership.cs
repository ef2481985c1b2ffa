using System.Security.Cryptography;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Core.Errors;

namespace Leakwatch.Notify.Domains;

/// <summary>
/// Domain ownership for API keys, shared by <c>leakwatch domains</c> and <c>/api/domains</c>: a key claims a domain
/// and gets a random token to publish as <c>leakwatch-verification=&lt;token&gt;</c> in a TXT record at the domain
/// (<see cref="DnsTxtChecker"/>), or asks for a mail with a one-time link to one of the domain's role mailboxes. The
/// store keeps only tokens' SHA-256. Each key proves control on its own, so a domain verified by one key is claimed
/// by another only with its own proof. <see cref="IsVerified"/> is the gate of the domain-search endpoints.
/// </summary>
public sealed class DomainOwnership
{
    /// <summary>How long a mailed link works.</summary>
    public static readonly TimeSpan LinkValidity = TimeSpan.FromHours(24);

    /// <summary>At most one mailed link per key and domain within this: a key cannot flood a domain's mailboxes.</summary>
    public static readonly TimeSpan MailQuiet = TimeSpan.FromMinutes(10);

    /// <summary>The role mailboxes a verification mail may go to (RFC 2142 and common practice).</summary>
    public static readonly IReadOnlyList<string> Mailboxes = ["security", "hostmaster", "postmaster", "admin"];

    private readonly StateStore _store;
    private readonly TimeProvider _time;

    public DomainOwnership(StateStore store, TimeProvider? time = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The canonical domain; a usage error naming <paramref name="field"/> otherwise.</summary>
    public static string Normalize(string? input, string field = "domain") =>
        DomainNameNormalizer.TryNormalize(input, out var domain, out var error)
            ? domain
            : throw new LeakwatchException(ErrorKind.Usage, $"{field}: {error}");

    /// <summary>Claims the domain for the key. The token is returned only here (null when the key had already
    /// verified it); adding a pending domain again issues a fresh token and the previous one stops working.</summary>
    public (DomainAddResult Result, string? Token) Add(int keyId, string? domain)
    {
        var name = Normalize(domain);
        var token = NotifyTokens.NewToken();
        var result = _store.AddDomain(keyId, name, NotifyTokens.Hash(token), _time.GetUtcNow());
        return (result, result.TokenIssued ? token : null);
    }

    /// <summary>The key's claim on the domain; not-found naming the domain when there is none.</summary>
    public OwnedDomain Claim(int keyId, string domain) =>
        _store.Domain(keyId, domain)
        ?? throw new LeakwatchException(ErrorKind.NotFound, $"domain: {domain} has not been added for this key (add it first)");

    /// <summary>Checks the TXT record and marks the claim verified when it holds the key's token. A claim verified
    /// before stays verified without a lookup.</summary>
    public async Task<(OwnedDomain Domain, DnsCheck Check)> VerifyDnsAsync(int keyId, string? domain, DnsTxtChecker dns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dns);
        var name = Normalize(domain);
        var claim = Claim(keyId, name);
        if (claim.IsVerified)
        {
            return (claim, new DnsCheck(DnsCheckOutcome.Verified, $"{name}: already verified"));
        }

        var hash = _store.DomainTokenHash(keyId, name)!;
        var check = await dns.CheckAsync(name, hash, cancellationToken).ConfigureAwait(false);
        if (check.Outcome == DnsCheckOutcome.Verified)
        {
            _store.MarkDomainVerified(keyId, name, "dns", _time.GetUtcNow());
            claim = Claim(keyId, name);
        }

        return (claim, check);
    }

    /// <summary>
    /// Queues a mail with a one-time link (valid <see cref="LinkValidity"/>) to <paramref name="mailbox"/>@domain
    /// through the notification outbox: the address and token only sealed in the row's payload, the token's hash in
    /// <c>domain_mail_tokens</c>. The claim must exist.
    /// </summary>
    public MailRequestOutcome RequestMail(int keyId, string? domain, string? mailbox, NotifySealing sealing)
    {
        ArgumentNullException.ThrowIfNull(sealing);
        var name = Normalize(domain);
        var box = (mailbox ?? "").Trim().ToLowerInvariant();
        if (!Mailboxes.Contains(box, StringComparer.Ordinal))
        {
            throw new LeakwatchException(ErrorKind.Usage, $"mailbox: must be one of {string.Join(", ", Mailboxes)}");
        }

        if (Claim(keyId, name).IsVerified)
        {
            return MailRequestOutcome.AlreadyVerified;
        }

        var token = NotifyTokens.NewToken();
        var now = _time.GetUtcNow();
        // Sealed with the link: once used, the domain's breach alerts go to this address (domain alerts).
        var sealedAddress = sealing.Address.Seal(System.Text.Encoding.UTF8.GetBytes($"{box}@{name}"), NotifySealing.AddressContext);
        if (!_store.AddDomainMailToken(NotifyTokens.Hash(token), keyId, name, now, now + LinkValidity, MailQuiet, sealedAddress))
        {
            return MailRequestOutcome.TooSoon;
        }

        // The composer makes it the Message-ID's left-hand side (<id@public host>).
        var messageId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _store.EnqueueOne(new OutboxItem
        {
            Dedupe = "domain:" + messageId,
            Channel = OutboxChannel.Mail,
            TargetId = keyId,
            BreachId = 0,
            Event = NotifyEvents.DomainVerify,
            MessageId = messageId,
            SealedPayload = new MailPayload($"{box}@{name}", token).Seal(sealing, messageId),
        }, now);
        return MailRequestOutcome.Queued;
    }

    /// <summary>The domain a mailed link would verify, while it is unused and unexpired; else null.</summary>
    public string? PendingLink(string token) => _store.DomainMailTokenPending(NotifyTokens.Hash(token), _time.GetUtcNow());

    /// <summary>Uses a mailed link: the claim becomes verified (by email) and the link stops working. Null for a
    /// used, expired or unknown link.</summary>
    public OwnedDomain? ConfirmLink(string token) => _store.ConfirmDomainMailToken(NotifyTokens.Hash(token), _time.GetUtcNow());

    /// <summary>Drops the key's claim; false when there was none.</summary>
    public bool Remove(int keyId, string? domain) => _store.RemoveDomain(keyId, Normalize(domain));

    /// <summary>True when the key has proved control of <paramref name="domain"/> (any spelling: it is normalised;
    /// an invalid name is simply not verified). Domain search answers 403 otherwise.</summary>
    public bool IsVerified(int keyId, string? domain) =>
        DomainNameNormalizer.Normalize(domain) is { } name && _store.IsDomainVerified(keyId, name);
}
