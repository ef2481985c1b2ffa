using System.Data;
using System.Data.Common;

namespace Leakwatch.Catalog.State;

/// <summary>
/// Domain alerts (docs/organisations.md, "Domain alerts"): where a verified domain's breach alerts go by mail. The
/// role address that proved control by a mailed link is kept sealed with the claim (migration 0010); a claim verified
/// by DNS has none, and its alerts go only to the key's webhooks.
/// </summary>
public abstract partial class StateStore
{
    /// <summary>The sealed address that proved control of <paramref name="domain"/> for the key by mail, or null (DNS
    /// proof, a claim verified before migration 0010, or no claim).</summary>
    public byte[]? DomainAlertAddress(int keyId, string domain) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT sealed_address FROM domains WHERE key_id = @key AND domain = @domain AND verified IS NOT NULL");
        Add(cmd, "@key", keyId);
        Add(cmd, "@domain", domain);
        return cmd.ExecuteScalar() is byte[] sealedAddress ? sealedAddress : null;
    });

    private static void SetDomainAlertAddress(DbConnection db, DbTransaction tx, int keyId, string domain, byte[] sealedAddress)
    {
        using var cmd = Command(db, tx, "UPDATE domains SET sealed_address = @address WHERE key_id = @key AND domain = @domain AND method = 'email'");
        Add(cmd, "@key", keyId);
        Add(cmd, "@domain", domain);
        AddBlob(cmd, "@address", sealedAddress);
        cmd.ExecuteNonQuery();
    }

    /// <summary>A binary parameter that may be null (typed, so PostgreSQL reads a null as bytea).</summary>
    private static void AddBlob(DbCommand cmd, string name, byte[]? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.DbType = DbType.Binary;
        p.Value = value is null ? DBNull.Value : value;
        cmd.Parameters.Add(p);
    }
}
