using System.Data.Common;

namespace Leakwatch.Catalog.State;

public abstract partial class StateStore
{
    /// <summary>Creates a key and returns it with its plain text, which is shown once and never stored.</summary>
    public (ApiKey Key, string Secret) CreateKey(string name, int rpm, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rpm, 1);
        var secret = ApiKeySecret.New();
        var key = new ApiKey { Name = name, Rpm = rpm, Created = Microseconds(now), Hash = ApiKeySecret.Hash(secret) };
        var id = Write((db, tx) => InsertKey(db, tx, key, assignId: true), touchesBreaches: false);
        return (key with { Id = id }, secret);
    }

    /// <summary>Inserts a key row as it is (id, hash, dates): for <see cref="StateMigration"/>.</summary>
    internal void CopyKey(DbConnection db, DbTransaction tx, ApiKey key) => InsertKey(db, tx, key, assignId: false);

    private int InsertKey(DbConnection db, DbTransaction tx, ApiKey key, bool assignId)
    {
        // Ids are small and dense: MAX(id)+1, taken under a lock held to the commit (SQLite's database lock, a
        // PostgreSQL transaction lock), so two `keys create` racing on two machines never compute the same id.
        if (assignId)
        {
            LockKeyIds(db, tx);
        }

        using var cmd = Command(db, tx, assignId
            ? "INSERT INTO api_keys (id, name, key_hash, rpm, created, revoked) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM api_keys), @name, @hash, @rpm, @created, @revoked) RETURNING id"
            : "INSERT INTO api_keys (id, name, key_hash, rpm, created, revoked) VALUES (@id, @name, @hash, @rpm, @created, @revoked) RETURNING id");
        if (!assignId)
        {
            Add(cmd, "@id", key.Id);
        }

        Add(cmd, "@name", key.Name);
        Add(cmd, "@hash", key.Hash);
        Add(cmd, "@rpm", key.Rpm);
        Add(cmd, "@created", TimestampValue(Microseconds(key.Created)));
        Add(cmd, "@revoked", key.Revoked is { } revoked ? TimestampValue(Microseconds(revoked)) : null);
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Serializes key-id assignment until the transaction ends; SQLite's write transaction already does.</summary>
    protected virtual void LockKeyIds(DbConnection db, DbTransaction tx)
    {
    }

    /// <summary>Every key, revoked ones included, by id.</summary>
    public virtual List<ApiKey> Keys() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT id, name, key_hash, rpm, created, revoked FROM api_keys ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<ApiKey>();
        while (r.Read())
        {
            list.Add(new ApiKey
            {
                Id = r.GetInt32(0),
                Name = r.GetString(1),
                Hash = (byte[])r.GetValue(2),
                Rpm = r.GetInt32(3),
                Created = ReadTimestamp(r, 4),
                Revoked = r.IsDBNull(5) ? null : ReadTimestamp(r, 5),
            });
        }

        return list;
    });

    /// <summary>Marks a key revoked; false when there is no such key. Revoking twice keeps the first time.</summary>
    public bool RevokeKey(int id, DateTimeOffset now) => Write((db, tx) =>
    {
        using var cmd = Command(db, tx, "UPDATE api_keys SET revoked = COALESCE(revoked, @now) WHERE id = @id");
        Add(cmd, "@id", id);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        return cmd.ExecuteNonQuery() > 0;
    }, touchesBreaches: false);
}
