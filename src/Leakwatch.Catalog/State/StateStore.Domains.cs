using System.Data.Common;
using System.Globalization;

namespace Leakwatch.Catalog.State;

/// <summary>
/// Domains API keys claim and how each proved control (docs/organisations.md, "Domain verification"). Names are
/// canonical (<see cref="Core.DomainNameNormalizer"/>) and kept in clear; tokens only as SHA-256. One row per
/// (key, domain): a domain verified by one key is claimed by another only through its own proof. Writes leave the
/// state revision alone (no replica caches these rows).
/// </summary>
public abstract partial class StateStore
{
    private const string DomainColumns = "d.key_id, COALESCE(k.name, ''), d.domain, d.created, d.verified, d.method";

    private const string DomainFrom = "FROM domains d LEFT JOIN api_keys k ON k.id = d.key_id";

    /// <summary>
    /// Claims <paramref name="domain"/> for the key with the DNS token hashing to <paramref name="tokenHash"/>. A new
    /// claim is inserted; a pending one gets the new token (the old TXT value stops proving anything: the store
    /// cannot give back a token it only holds hashed); a verified one is left as it is (<c>TokenIssued</c> false).
    /// </summary>
    public DomainAddResult AddDomain(int keyId, string domain, byte[] tokenHash, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        if (ReadDomain(db, tx, keyId, domain) is { } existing)
        {
            if (existing.IsVerified)
            {
                return new DomainAddResult(existing, TokenIssued: false);
            }

            using var renew = Command(db, tx, "UPDATE domains SET token_hash = @token WHERE key_id = @key AND domain = @domain");
            Add(renew, "@token", tokenHash);
            Add(renew, "@key", keyId);
            Add(renew, "@domain", domain);
            renew.ExecuteNonQuery();
            return new DomainAddResult(existing, TokenIssued: true);
        }

        using (var insert = Command(db, tx, "INSERT INTO domains (key_id, domain, token_hash, created) VALUES (@key, @domain, @token, @now)"))
        {
            Add(insert, "@key", keyId);
            Add(insert, "@domain", domain);
            Add(insert, "@token", tokenHash);
            Add(insert, "@now", TimestampValue(now));
            insert.ExecuteNonQuery();
        }

        return new DomainAddResult(ReadDomain(db, tx, keyId, domain)!, TokenIssued: true);
    });

    /// <summary>The key's claim on <paramref name="domain"/>, or null.</summary>
    public OwnedDomain? Domain(int keyId, string domain) => Read(db => ReadDomain(db, null, keyId, domain));

    /// <summary>The SHA-256 of the key's current DNS token for <paramref name="domain"/>, or null when not claimed.</summary>
    public byte[]? DomainTokenHash(int keyId, string domain) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT token_hash FROM domains WHERE key_id = @key AND domain = @domain");
        Add(cmd, "@key", keyId);
        Add(cmd, "@domain", domain);
        return cmd.ExecuteScalar() is byte[] hash ? hash : null;
    });

    /// <summary>Every claim (of one key, or of all when <paramref name="keyId"/> is null), by domain then key.</summary>
    public List<OwnedDomain> Domains(int? keyId = null) => Read(db =>
    {
        using var cmd = Command(db, null, $"SELECT {DomainColumns} {DomainFrom}" +
            (keyId is null ? "" : " WHERE d.key_id = @key") + " ORDER BY d.domain, d.key_id");
        if (keyId is { } id)
        {
            Add(cmd, "@key", id);
        }

        return ReadDomains(cmd);
    });

    /// <summary>The key's verified domains, by name: what <c>subscribeddomains</c> lists.</summary>
    public List<OwnedDomain> VerifiedDomains(int keyId) => Read(db =>
    {
        using var cmd = Command(db, null, $"SELECT {DomainColumns} {DomainFrom} WHERE d.key_id = @key AND d.verified IS NOT NULL ORDER BY d.domain");
        Add(cmd, "@key", keyId);
        return ReadDomains(cmd);
    });

    /// <summary>True when the key has proved control of <paramref name="domain"/> (canonical): the gate of the
    /// domain-search endpoints, which answer 403 otherwise.</summary>
    public bool IsDomainVerified(int keyId, string domain) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT COUNT(*) FROM domains WHERE key_id = @key AND domain = @domain AND verified IS NOT NULL");
        Add(cmd, "@key", keyId);
        Add(cmd, "@domain", domain);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    });

    /// <summary>Marks the key's claim verified by <paramref name="method"/>; false when the key has not claimed it.
    /// A claim verified before keeps its first date and method.</summary>
    public bool MarkDomainVerified(int keyId, string domain, string method, DateTimeOffset now) => WriteQuiet((db, tx) =>
        SetVerified(db, tx, keyId, domain, method, Microseconds(now)));

    /// <summary>Drops the key's claim and its pending mailed links; false when there was none.</summary>
    public bool RemoveDomain(int keyId, string domain) => WriteQuiet((db, tx) =>
    {
        using (var links = Command(db, tx, "DELETE FROM domain_mail_tokens WHERE key_id = @key AND domain = @domain"))
        {
            Add(links, "@key", keyId);
            Add(links, "@domain", domain);
            links.ExecuteNonQuery();
        }

        using var cmd = Command(db, tx, "DELETE FROM domains WHERE key_id = @key AND domain = @domain");
        Add(cmd, "@key", keyId);
        Add(cmd, "@domain", domain);
        return cmd.ExecuteNonQuery() > 0;
    });

    /// <summary>
    /// Records a mailed verification link (its token's SHA-256), valid until <paramref name="expires"/>; false (and
    /// nothing written) when the key already had a link mailed for the domain within <paramref name="quiet"/>, so a
    /// key cannot flood a domain's role mailboxes. Expired links are erased on the way.
    /// </summary>
    public bool AddDomainMailToken(byte[] tokenHash, int keyId, string domain, DateTimeOffset now, DateTimeOffset expires, TimeSpan quiet) =>
        AddDomainMailToken(tokenHash, keyId, domain, now, expires, quiet, sealedAddress: null);

    /// <summary>As the other overload, keeping the mailbox's address sealed with the link (domain alerts: once the link
    /// is used, the claim's alerts go to the address that proved it; migration 0010).</summary>
    public bool AddDomainMailToken(byte[] tokenHash, int keyId, string domain, DateTimeOffset now, DateTimeOffset expires, TimeSpan quiet,
        byte[]? sealedAddress) =>
        WriteQuiet((db, tx) =>
        {
            now = Microseconds(now);
            DeleteExpiredDomainTokens(db, tx, now);
            using (var recent = Command(db, tx, "SELECT COUNT(*) FROM domain_mail_tokens WHERE key_id = @key AND domain = @domain AND created > @since"))
            {
                Add(recent, "@key", keyId);
                Add(recent, "@domain", domain);
                Add(recent, "@since", TimestampValue(now - quiet));
                if (Convert.ToInt64(recent.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
                {
                    return false;
                }
            }

            using var cmd = Command(db, tx,
                "INSERT INTO domain_mail_tokens (token_hash, key_id, domain, created, expires, sealed_address) VALUES (@token, @key, @domain, @now, @expires, @address)");
            Add(cmd, "@token", tokenHash);
            Add(cmd, "@key", keyId);
            Add(cmd, "@domain", domain);
            Add(cmd, "@now", TimestampValue(now));
            Add(cmd, "@expires", TimestampValue(Microseconds(expires)));
            AddBlob(cmd, "@address", sealedAddress);
            return cmd.ExecuteNonQuery() > 0;
        });

    /// <summary>The domain a mailed link would verify while it has not been used nor expired, else null (the
    /// confirmation page names it before anything changes).</summary>
    public string? DomainMailTokenPending(byte[] tokenHash, DateTimeOffset now) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT domain FROM domain_mail_tokens WHERE token_hash = @token AND expires > @now");
        Add(cmd, "@token", tokenHash);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        return cmd.ExecuteScalar() as string;
    });

    /// <summary>Uses a mailed link, in one transaction: the link is erased (it works once) and its key's claim is
    /// marked verified by email. Null when no unexpired link holds the token, or its claim was removed meanwhile.</summary>
    public OwnedDomain? ConfirmDomainMailToken(byte[] tokenHash, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        (int Key, string Domain)? found = null;
        byte[]? sealedAddress = null;
        using (var take = Command(db, tx, "DELETE FROM domain_mail_tokens WHERE token_hash = @token AND expires > @now RETURNING key_id, domain, sealed_address"))
        {
            Add(take, "@token", tokenHash);
            Add(take, "@now", TimestampValue(now));
            using var r = take.ExecuteReader();
            if (r.Read())
            {
                found = (r.GetInt32(0), r.GetString(1));
                sealedAddress = r.IsDBNull(2) ? null : (byte[])r.GetValue(2);
            }
        }

        DeleteExpiredDomainTokens(db, tx, now);
        if (found is not { } f || !SetVerified(db, tx, f.Key, f.Domain, "email", now))
        {
            return null;
        }

        // Domain alerts: the address that proved control is where they go (only while the claim is verified by email).
        if (sealedAddress is not null)
        {
            SetDomainAlertAddress(db, tx, f.Key, f.Domain, sealedAddress);
        }

        return ReadDomain(db, tx, f.Key, f.Domain);
    });

    private bool SetVerified(DbConnection db, DbTransaction tx, int keyId, string domain, string method, DateTimeOffset now)
    {
        using var cmd = Command(db, tx,
            "UPDATE domains SET method = COALESCE(method, @method), verified = COALESCE(verified, @now) WHERE key_id = @key AND domain = @domain");
        Add(cmd, "@key", keyId);
        Add(cmd, "@domain", domain);
        Add(cmd, "@method", method);
        Add(cmd, "@now", TimestampValue(now));
        return cmd.ExecuteNonQuery() > 0;
    }

    private void DeleteExpiredDomainTokens(DbConnection db, DbTransaction tx, DateTimeOffset now)
    {
        using var cmd = Command(db, tx, "DELETE FROM domain_mail_tokens WHERE expires <= @now");
        Add(cmd, "@now", TimestampValue(now));
        cmd.ExecuteNonQuery();
    }

    private OwnedDomain? ReadDomain(DbConnection db, DbTransaction? tx, int keyId, string domain)
    {
        using var cmd = Command(db, tx, $"SELECT {DomainColumns} {DomainFrom} WHERE d.key_id = @key AND d.domain = @domain");
        Add(cmd, "@key", keyId);
        Add(cmd, "@domain", domain);
        var list = ReadDomains(cmd);
        return list.Count == 0 ? null : list[0];
    }

    private List<OwnedDomain> ReadDomains(DbCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<OwnedDomain>();
        while (r.Read())
        {
            list.Add(new OwnedDomain(r.GetInt32(0), r.GetString(1), r.GetString(2), ReadTimestamp(r, 3),
                r.IsDBNull(4) ? null : ReadTimestamp(r, 4), r.IsDBNull(5) ? null : r.GetString(5)));
        }

        return list;
    }
}
