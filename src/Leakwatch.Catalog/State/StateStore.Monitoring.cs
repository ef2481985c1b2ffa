using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Leakwatch.Catalog.State;

public abstract partial class StateStore
{
    /// <summary>Rows per multi-row <c>INSERT</c> of monitored identifiers, run as one prepared statement for every full
    /// batch: PostgreSQL saves a round trip per row (500 rows, 1,500 parameters, far below its limit).</summary>
    protected virtual int MonitorBatch => 500;

    private const string WebhookColumns = "id, key_id, url, sealed_secret, events, created, disabled, disabled_reason";

    /// <summary>
    /// Adds identifiers (index keys, never the identifiers) to what key <paramref name="keyId"/> monitors, in one
    /// transaction; keys it already monitors are kept as they are. When the key would then monitor more than
    /// <paramref name="limit"/>, nothing is stored (<see cref="MonitorAddResult.OverLimit"/>): an upload is all or nothing.
    /// With <paramref name="replace"/> the upload replaces everything the key monitored, in the same transaction.
    /// </summary>
    public MonitorAddResult AddMonitored(int keyId, IReadOnlyList<(byte[] MatchKey, int Kind, string Hint)> items, DateTimeOffset now,
        long limit = long.MaxValue, bool replace = false) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        var kept = CountMonitoredIn(db, tx, keyId);
        tx.Save("monitor_add");
        var before = kept;
        if (replace)
        {
            using var clear = Command(db, tx, "DELETE FROM monitored WHERE key_id = @k");
            Add(clear, "@k", keyId);
            clear.ExecuteNonQuery();
            before = 0;
        }

        // In key order, both indexes (key_id, match_key) and (match_key) grow at their ends instead of at a million
        // random places: several times faster on both engines once the index outgrows the page cache.
        var rows = new (byte[] MatchKey, int Kind, string Hint)[items.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = items[i];
        }

        Array.Sort(rows, static (a, b) => a.MatchKey.AsSpan().SequenceCompareTo(b.MatchKey));
        long added = 0;
        var full = rows.Length / MonitorBatch;
        if (full > 0)
        {
            using var batch = MonitorInsert(db, tx, keyId, now, MonitorBatch);
            batch.Prepare();
            for (var b = 0; b < full; b++)
            {
                added += BindMonitorRows(batch, rows, b * MonitorBatch, MonitorBatch);
            }
        }

        var rest = rows.Length - full * MonitorBatch;
        if (rest > 0)
        {
            using var tail = MonitorInsert(db, tx, keyId, now, rest);
            added += BindMonitorRows(tail, rows, full * MonitorBatch, rest);
        }

        if (before + added > limit)
        {
            tx.Rollback("monitor_add");
            return new MonitorAddResult(0, kept, OverLimit: true);
        }

        tx.Release("monitor_add");
        return new MonitorAddResult(added, before + added, OverLimit: false);
    });

    private DbCommand MonitorInsert(DbConnection db, DbTransaction tx, int keyId, DateTimeOffset now, int rows)
    {
        var sql = new StringBuilder("INSERT INTO monitored (key_id, match_key, kind, hint, created) VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@k, @m{i}, @t{i}, @h{i}, @now)");
        }

        var cmd = Command(db, tx, sql.Append(" ON CONFLICT (key_id, match_key) DO NOTHING").ToString());
        Add(cmd, "@k", keyId);
        Add(cmd, "@now", TimestampValue(now));
        for (var i = 0; i < rows; i++)
        {
            Add(cmd, "@m" + i.ToString(CultureInfo.InvariantCulture), Array.Empty<byte>());
            Add(cmd, "@t" + i.ToString(CultureInfo.InvariantCulture), 0);
            Add(cmd, "@h" + i.ToString(CultureInfo.InvariantCulture), "");
        }

        return cmd;
    }

    /// <summary>Binds rows <paramref name="start"/>.. of <paramref name="items"/> to the command's row parameters
    /// (after <c>@k</c> and <c>@now</c>, three per row) and runs it; returns the rows inserted.</summary>
    private static int BindMonitorRows(DbCommand cmd, (byte[] MatchKey, int Kind, string Hint)[] items, int start, int rows)
    {
        for (var i = 0; i < rows; i++)
        {
            var (matchKey, kind, hint) = items[start + i];
            cmd.Parameters[2 + 3 * i].Value = matchKey;
            cmd.Parameters[3 + 3 * i].Value = kind;
            cmd.Parameters[4 + 3 * i].Value = hint;
        }

        return cmd.ExecuteNonQuery();
    }

    /// <summary>Stops monitoring the given index keys for key <paramref name="keyId"/>, or all of them when
    /// <paramref name="matchKeys"/> is null; returns how many were removed.</summary>
    public long RemoveMonitored(int keyId, IReadOnlyList<byte[]>? matchKeys) => WriteQuiet((db, tx) =>
    {
        if (matchKeys is null)
        {
            using var all = Command(db, tx, "DELETE FROM monitored WHERE key_id = @k");
            Add(all, "@k", keyId);
            return (long)all.ExecuteNonQuery();
        }

        long removed = 0;
        using var cmd = Command(db, tx, "DELETE FROM monitored WHERE key_id = @k AND match_key = @m");
        Add(cmd, "@k", keyId);
        var m = Parameter(cmd, "@m");
        foreach (var key in matchKeys)
        {
            m.Value = key;
            removed += cmd.ExecuteNonQuery();
        }

        return removed;
    });

    public long CountMonitored(int keyId) => Read(db => CountMonitoredIn(db, null, keyId));

    private static long CountMonitoredIn(DbConnection db, DbTransaction? tx, int keyId)
    {
        using var cmd = Command(db, tx, "SELECT COUNT(*) FROM monitored WHERE key_id = @k");
        Add(cmd, "@k", keyId);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>One page of what key <paramref name="keyId"/> monitors, in index-key order (which says nothing about
    /// the identifiers): <paramref name="max"/> rows from row <paramref name="offset"/>.</summary>
    public List<MonitoredIdentifier> ListMonitored(int keyId, long offset, int max) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT match_key, kind, hint, created FROM monitored WHERE key_id = @k ORDER BY match_key LIMIT @max OFFSET @offset");
        Add(cmd, "@k", keyId);
        Add(cmd, "@max", max);
        Add(cmd, "@offset", offset);
        using var r = cmd.ExecuteReader();
        var list = new List<MonitoredIdentifier>();
        while (r.Read())
        {
            list.Add(new MonitoredIdentifier((byte[])r.GetValue(0), r.GetInt32(1), r.GetString(2), ReadTimestamp(r, 3)));
        }

        return list;
    });

    /// <summary>Calls <paramref name="each"/> with every monitored identifier's key id, index key and kind, in
    /// ascending index-key order (bytewise on both engines), for one linear merge against a breach's sorted keys.
    /// The same index key monitored by two API keys comes twice, key ids ascending. With <paramref name="createdAfter"/>
    /// and <paramref name="createdBy"/>, only the rows added in that span (either bound may be null).</summary>
    public void ForEachMonitored(Action<int, byte[], int> each, DateTimeOffset? createdAfter = null, DateTimeOffset? createdBy = null) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT key_id, match_key, kind FROM monitored WHERE true" +
            (createdAfter is null ? "" : " AND created > @after") + (createdBy is null ? "" : " AND created <= @by") +
            " ORDER BY match_key, key_id");
        if (createdAfter is { } after)
        {
            Add(cmd, "@after", TimestampValue(Microseconds(after)));
        }

        if (createdBy is { } by)
        {
            Add(cmd, "@by", TimestampValue(Microseconds(by)));
        }

        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            each(r.GetInt32(0), (byte[])r.GetValue(1), r.GetInt32(2));
        }

        return 0;
    });

    /// <summary>Key <paramref name="keyId"/>'s rows for the given index keys (those it monitors; others are left out),
    /// in key order: what the matcher puts in a <c>breach.exposed</c> payload (kinds and hints) once it has matched.</summary>
    public List<MonitoredIdentifier> MonitoredByKeys(int keyId, IReadOnlyList<byte[]> matchKeys) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT match_key, kind, hint, created FROM monitored WHERE key_id = @k AND match_key = @m");
        Add(cmd, "@k", keyId);
        var m = Parameter(cmd, "@m");
        var list = new List<MonitoredIdentifier>(matchKeys.Count);
        foreach (var key in matchKeys)
        {
            m.Value = key;
            using var r = cmd.ExecuteReader();
            if (r.Read())
            {
                list.Add(new MonitoredIdentifier((byte[])r.GetValue(0), r.GetInt32(1), r.GetString(2), ReadTimestamp(r, 3)));
            }
        }

        list.Sort(static (a, b) => a.MatchKey.AsSpan().SequenceCompareTo(b.MatchKey));
        return list;
    });

    /// <summary>One breach row by id, published or not; null when there is none (deliveries build their content from it).</summary>
    public Leakwatch.Core.Breach? BreachById(int id) => Read(db =>
    {
        using var cmd = Command(db, null, $"SELECT id, {BreachColumns} FROM breaches WHERE id = @id");
        Add(cmd, "@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadBreach(r) : null;
    });

    /// <summary>Registers a webhook for key <paramref name="keyId"/>; null when the key already has
    /// <paramref name="limit"/> webhooks (nothing stored).</summary>
    public long? AddWebhook(int keyId, string url, byte[] sealedSecret, WebhookEvents events, DateTimeOffset now, int limit = int.MaxValue) =>
        WriteQuiet((db, tx) =>
        {
            using (var count = Command(db, tx, "SELECT COUNT(*) FROM webhooks WHERE key_id = @k"))
            {
                Add(count, "@k", keyId);
                if (Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture) >= limit)
                {
                    return (long?)null;
                }
            }

            using var cmd = Command(db, tx,
                "INSERT INTO webhooks (key_id, url, sealed_secret, events, created) VALUES (@k, @url, @secret, @events, @now) RETURNING id");
            Add(cmd, "@k", keyId);
            Add(cmd, "@url", url);
            Add(cmd, "@secret", sealedSecret);
            Add(cmd, "@events", (int)events);
            Add(cmd, "@now", TimestampValue(Microseconds(now)));
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        });

    /// <summary>Key <paramref name="keyId"/>'s webhooks, disabled ones included, by id.</summary>
    public List<Webhook> ListWebhooks(int keyId) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT " + WebhookColumns + " FROM webhooks WHERE key_id = @k ORDER BY id");
        Add(cmd, "@k", keyId);
        return ReadWebhooks(cmd);
    });

    /// <summary>Deletes key <paramref name="keyId"/>'s webhook <paramref name="id"/> and every outbox row for it (they
    /// may hold sealed identifiers); false when the key has no such webhook.</summary>
    public bool DeleteWebhook(int keyId, long id) => WriteQuiet((db, tx) =>
    {
        using var delete = Command(db, tx, "DELETE FROM webhooks WHERE id = @id AND key_id = @k");
        Add(delete, "@id", id);
        Add(delete, "@k", keyId);
        if (delete.ExecuteNonQuery() == 0)
        {
            return false;
        }

        using var outbox = Command(db, tx, "DELETE FROM outbox WHERE channel = @channel AND target_id = @id");
        Add(outbox, "@channel", (int)OutboxChannel.Webhook);
        Add(outbox, "@id", id);
        outbox.ExecuteNonQuery();
        return true;
    });

    public Webhook? WebhookById(long id) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT " + WebhookColumns + " FROM webhooks WHERE id = @id");
        Add(cmd, "@id", id);
        var list = ReadWebhooks(cmd);
        return list.Count == 0 ? null : list[0];
    });

    /// <summary>Disables a webhook (its receiver answered 410): nothing more is sent to it. The first reason stays;
    /// false when there is no such webhook or it already was disabled.</summary>
    public bool DisableWebhook(long id, string reason, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        using var cmd = Command(db, tx, "UPDATE webhooks SET disabled = @now, disabled_reason = @reason WHERE id = @id AND disabled IS NULL");
        Add(cmd, "@id", id);
        Add(cmd, "@reason", reason);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        return cmd.ExecuteNonQuery() > 0;
    });

    /// <summary>Calls <paramref name="each"/> with every webhook not disabled, by id (for matching a publish).</summary>
    public void ForEachActiveWebhook(Action<Webhook> each)
    {
        var list = Read(db =>
        {
            using var cmd = Command(db, null, "SELECT " + WebhookColumns + " FROM webhooks WHERE disabled IS NULL ORDER BY id");
            return ReadWebhooks(cmd);
        });
        foreach (var webhook in list)
        {
            each(webhook);
        }
    }

    private List<Webhook> ReadWebhooks(DbCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<Webhook>();
        while (r.Read())
        {
            list.Add(new Webhook(r.GetInt64(0), r.GetInt32(1), r.GetString(2), (byte[])r.GetValue(3), (WebhookEvents)r.GetInt32(4),
                ReadTimestamp(r, 5), r.IsDBNull(6) ? null : ReadTimestamp(r, 6), r.IsDBNull(7) ? null : r.GetString(7)));
        }

        return list;
    }
}
