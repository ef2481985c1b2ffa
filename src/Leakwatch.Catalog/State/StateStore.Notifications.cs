using System.Data.Common;
using System.Globalization;

namespace Leakwatch.Catalog.State;

public abstract partial class StateStore
{
    private const string OutboxColumns =
        "id, dedupe, channel, target_id, breach_id, event, message_id, sealed_payload, state, attempts, next_attempt, last_error, created";

    /// <summary>
    /// Subscribes the identifier whose index key is <paramref name="matchKey"/>. A new subscription, or an unverified
    /// one whose last mail is older than <paramref name="quiet"/>, takes the new verification token (valid for
    /// <paramref name="validity"/>); a verified one keeps its tokens. Within <paramref name="quiet"/> of the last mail
    /// nothing changes. The caller answers all three alike.
    /// </summary>
    public SubscribeOutcome Subscribe(byte[] matchKey, byte[] sealedAddress, byte[] verifyTokenHash, byte[] unsubscribeTokenHash,
        DateTimeOffset now, TimeSpan validity, TimeSpan quiet) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        DateTimeOffset? sent = null;
        DateTimeOffset? verified = null;
        var exists = false;
        using (var find = Command(db, tx, "SELECT verify_sent, verified FROM subscriptions WHERE match_key = @key"))
        {
            Add(find, "@key", matchKey);
            using var r = find.ExecuteReader();
            if (r.Read())
            {
                exists = true;
                sent = r.IsDBNull(0) ? null : ReadTimestamp(r, 0);
                verified = r.IsDBNull(1) ? null : ReadTimestamp(r, 1);
            }
        }

        if (exists && sent is { } last && now - last < quiet)
        {
            return SubscribeOutcome.SendNothing;
        }

        if (!exists)
        {
            using var insert = Command(db, tx,
                "INSERT INTO subscriptions (match_key, sealed_address, verify_token_hash, verify_expires, verify_sent, unsubscribe_token_hash, created) " +
                "VALUES (@key, @address, @token, @expires, @now, @unsub, @now)");
            Add(insert, "@key", matchKey);
            Add(insert, "@address", sealedAddress);
            Add(insert, "@token", verifyTokenHash);
            Add(insert, "@expires", TimestampValue(now + validity));
            Add(insert, "@now", TimestampValue(now));
            Add(insert, "@unsub", unsubscribeTokenHash);
            insert.ExecuteNonQuery();
            return SubscribeOutcome.SendVerification;
        }

        if (verified is not null)
        {
            using var touch = Command(db, tx, "UPDATE subscriptions SET verify_sent = @now WHERE match_key = @key");
            Add(touch, "@key", matchKey);
            Add(touch, "@now", TimestampValue(now));
            touch.ExecuteNonQuery();
            return SubscribeOutcome.SendReminder;
        }

        using var update = Command(db, tx,
            "UPDATE subscriptions SET sealed_address = @address, verify_token_hash = @token, verify_expires = @expires, verify_sent = @now WHERE match_key = @key");
        Add(update, "@key", matchKey);
        Add(update, "@address", sealedAddress);
        Add(update, "@token", verifyTokenHash);
        Add(update, "@expires", TimestampValue(now + validity));
        Add(update, "@now", TimestampValue(now));
        update.ExecuteNonQuery();
        return SubscribeOutcome.SendVerification;
    });

    /// <summary>Completes the double opt-in of the subscription whose pending token hashes to <paramref name="tokenHash"/>;
    /// null when no subscription holds it or it has expired. The token works once.</summary>
    public Subscription? VerifySubscription(byte[] tokenHash, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        using var cmd = Command(db, tx,
            "UPDATE subscriptions SET verified = COALESCE(verified, @now), verify_token_hash = NULL, verify_expires = NULL " +
            "WHERE verify_token_hash = @token AND verify_expires > @now RETURNING id, match_key, sealed_address, verified, created");
        Add(cmd, "@token", tokenHash);
        Add(cmd, "@now", TimestampValue(now));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadSubscription(r) : null;
    });

    /// <summary>Erases the subscription whose unsubscribe token hashes to <paramref name="tokenHash"/>, and every
    /// notification still pending for it; false when there is none.</summary>
    public bool Unsubscribe(byte[] tokenHash) => WriteQuiet((db, tx) =>
        EraseSubscription(db, tx, "unsubscribe_token_hash = @value", tokenHash));

    /// <summary>Erases the subscription of the identifier whose index key is <paramref name="matchKey"/> and every
    /// outbox row for it (<c>DELETE</c> of a subscription); false when there is none.</summary>
    public bool DeleteSubscription(byte[] matchKey) => WriteQuiet((db, tx) =>
        EraseSubscription(db, tx, "match_key = @value", matchKey));

    private static bool EraseSubscription(DbConnection db, DbTransaction tx, string where, byte[] value)
    {
        long id;
        using (var find = Command(db, tx, "SELECT id FROM subscriptions WHERE " + where))
        {
            Add(find, "@value", value);
            if (find.ExecuteScalar() is not { } found)
            {
                return false;
            }

            id = Convert.ToInt64(found, CultureInfo.InvariantCulture);
        }

        using (var outbox = Command(db, tx, "DELETE FROM outbox WHERE channel = @channel AND target_id = @id"))
        {
            Add(outbox, "@channel", (int)OutboxChannel.Mail);
            Add(outbox, "@id", id);
            outbox.ExecuteNonQuery();
        }

        using var delete = Command(db, tx, "DELETE FROM subscriptions WHERE id = @id");
        Add(delete, "@id", id);
        return delete.ExecuteNonQuery() > 0;
    }

    public Subscription? SubscriptionById(long id) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT id, match_key, sealed_address, verified, created FROM subscriptions WHERE id = @id");
        Add(cmd, "@id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadSubscription(r) : null;
    });

    /// <summary>Calls <paramref name="each"/> with the id and index key of every subscription verified by
    /// <paramref name="verifiedBy"/>, in ascending key order (bytewise on both engines), for one linear merge against
    /// a breach's sorted keys; read from an index holding all it needs (migration 0009). The key is lent for the call only.</summary>
    public void ForEachVerifiedSubscription(DateTimeOffset verifiedBy, SubscriptionKeyVisitor each) =>
        ForEachVerifiedSubscription(null, verifiedBy, each);

    /// <summary>As the other overload, for the subscriptions verified after <paramref name="verifiedAfter"/> (when not
    /// null) and by <paramref name="verifiedBy"/>: what a matcher that read its watchers earlier has not seen yet.</summary>
    public void ForEachVerifiedSubscription(DateTimeOffset? verifiedAfter, DateTimeOffset verifiedBy, SubscriptionKeyVisitor each) => Read(db =>
    {
        ReadVerifiedKeys(db, verifiedAfter is null ? null : TimestampValue(Microseconds(verifiedAfter.Value)),
            TimestampValue(Microseconds(verifiedBy)), each);
        return 0;
    });

    /// <summary>The read of <see cref="ForEachVerifiedSubscription(DateTimeOffset?, DateTimeOffset, SubscriptionKeyVisitor)"/>
    /// with its bounds as the engine stores timestamps (SQLite reads it through the native API, without an array per row).</summary>
    protected virtual void ReadVerifiedKeys(DbConnection db, object? after, object by, SubscriptionKeyVisitor each)
    {
        using var cmd = Command(db, null, VerifiedKeysSql(after is not null));
        Add(cmd, "@by", by);
        if (after is not null)
        {
            Add(cmd, "@after", after);
        }

        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            each(r.GetInt64(0), (byte[])r.GetValue(1));
        }
    }

    /// <summary>The verified subscriptions' ids and keys in key order, verified by <c>@by</c> (and after <c>@after</c>).</summary>
    protected static string VerifiedKeysSql(bool withAfter) =>
        "SELECT id, match_key FROM subscriptions WHERE verified IS NOT NULL AND verified <= @by" +
        (withAfter ? " AND verified > @after" : "") + " ORDER BY match_key";

    /// <summary>Adds subscriptions whose addresses were proven elsewhere (moved from another service, or a benchmark's
    /// seed) as verified, in one transaction; an index key already subscribed is left as it is. Returns how many were new.</summary>
    public int ImportVerifiedSubscriptions(IReadOnlyList<(byte[] Key, byte[] SealedAddress, byte[] UnsubscribeTokenHash)> subscriptions,
        DateTimeOffset verified) => WriteQuiet((db, tx) =>
    {
        var inserted = 0;
        using var cmd = Command(db, tx,
            "INSERT INTO subscriptions (match_key, sealed_address, verified, unsubscribe_token_hash, created) " +
            "VALUES (@key, @address, @now, @unsub, @now) ON CONFLICT (match_key) DO NOTHING");
        var key = Parameter(cmd, "@key");
        var address = Parameter(cmd, "@address");
        var unsub = Parameter(cmd, "@unsub");
        Add(cmd, "@now", TimestampValue(Microseconds(verified)));
        foreach (var (k, a, u) in subscriptions)
        {
            key.Value = k;
            address.Value = a;
            unsub.Value = u;
            inserted += cmd.ExecuteNonQuery();
        }

        return inserted;
    });

    public long SubscriptionCount() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT COUNT(*) FROM subscriptions");
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    private Subscription ReadSubscription(DbDataReader r) =>
        new(r.GetInt64(0), (byte[])r.GetValue(1), (byte[])r.GetValue(2), r.IsDBNull(3) ? null : ReadTimestamp(r, 3), ReadTimestamp(r, 4));

    /// <summary>Hides the identifier whose index key is <paramref name="matchKey"/> from public search; false when it already was.</summary>
    public bool AddOptOut(byte[] matchKey, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        using var cmd = Command(db, tx, "INSERT INTO opt_outs (match_key, created) VALUES (@key, @now) ON CONFLICT (match_key) DO NOTHING");
        Add(cmd, "@key", matchKey);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        return cmd.ExecuteNonQuery() > 0;
    });

    /// <summary>Every opted-out index key, in ascending order (a server loads them once and follows changes).</summary>
    public List<byte[]> OptOuts() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT match_key FROM opt_outs ORDER BY match_key");
        using var r = cmd.ExecuteReader();
        var keys = new List<byte[]>();
        while (r.Read())
        {
            keys.Add((byte[])r.GetValue(0));
        }

        return keys;
    });

    /// <summary>The highest breach id whose publish has been matched into the outbox. Breach ids are never reused and
    /// each publish adds a breach with a higher id than any before, so every published breach above it is unmatched.
    /// (Kept in <c>notify_progress.generation</c>.)</summary>
    public long MatchedThrough() => Read(MatchedThroughIn);

    /// <summary>
    /// Writes one matching pass's notifications and moves the progress to <paramref name="matchedThrough"/> (the
    /// highest breach id the pass matched, see <see cref="MatchedThrough"/>), in one
    /// transaction: a pass cut short leaves both as they were, and a pass run again inserts nothing twice
    /// (<see cref="OutboxItem.Dedupe"/>). Returns how many rows were new.
    /// </summary>
    public int Enqueue(IReadOnlyList<OutboxItem> items, long matchedThrough, DateTimeOffset now) => Release(items, matchedThrough, now).Inserted;

    /// <summary>
    /// As <see cref="Enqueue"/>, and also says how many rows the pass made deliverable: those it inserted, and those
    /// written ahead of the publish (<see cref="InsertAhead"/>, by this ingest's merge or a killed one's) that the
    /// marker now covers. That second figure is what a pass reports as queued.
    /// </summary>
    public (int Inserted, int Released) Release(IReadOnlyList<OutboxItem> items, long matchedThrough, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        var inserted = InsertOutboxRows(db, tx, items, TimestampValue(now));
        var before = MatchedThroughIn(db, tx);
        var released = inserted;
        if (before < matchedThrough)
        {
            using var count = Command(db, tx, "SELECT COUNT(*) FROM outbox WHERE breach_id > @before AND breach_id <= @through AND state = 0");
            Add(count, "@before", before);
            Add(count, "@through", matchedThrough);
            released = Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        using var progress = Command(db, tx, "UPDATE notify_progress SET generation = @generation WHERE id = 1 AND generation < @generation");
        Add(progress, "@generation", matchedThrough);
        progress.ExecuteNonQuery();
        return (inserted, released);
    });

    /// <summary>
    /// Writes outbox rows ahead of their publish, without moving the progress marker: the ingest's merge inserts a
    /// new breach's rows while it runs (<c>MergeKeyTap</c>), so that only a small transaction is left after the
    /// publish. Until <see cref="MatchedThrough"/> reaches their breach id, no claim sees them
    /// (<see cref="ClaimDue(int, DateTimeOffset, TimeSpan)"/>): a breach never published never notifies anyone, and a
    /// kill before the marker moves leaves them to the next pass, which inserts nothing twice
    /// (<see cref="OutboxItem.Dedupe"/>). What a failed ingest left is deleted by <see cref="SweepUnmatched"/>.
    /// Returns how many rows were new.
    /// </summary>
    public int InsertAhead(IReadOnlyList<OutboxItem> items, DateTimeOffset now) => WriteQuiet((db, tx) =>
        InsertOutboxRows(db, tx, items, TimestampValue(Microseconds(now))));

    /// <summary>Deletes the pending rows written ahead (<see cref="InsertAhead"/>) for breaches that are not published:
    /// an ingest that failed or was killed before its publish. Every published breach above the marker keeps its rows
    /// (the next pass completes them). Runs under the index write lock (ingest and <c>remove</c>), so no ingest is
    /// writing rows ahead meanwhile. Returns how many rows went.</summary>
    public int SweepUnmatched(IReadOnlyCollection<int> publishedIds) => WriteQuiet((db, tx) =>
    {
        var through = MatchedThroughIn(db, tx);
        var keep = new System.Text.StringBuilder();
        foreach (var id in publishedIds)
        {
            if (id > through)
            {
                keep.Append(keep.Length == 0 ? " AND breach_id NOT IN (" : ", ").Append(id.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (keep.Length > 0)
        {
            keep.Append(')');
        }

        using var cmd = Command(db, tx, "DELETE FROM outbox WHERE state = 0 AND breach_id > @through" + keep);
        Add(cmd, "@through", through);
        return cmd.ExecuteNonQuery();
    });

    /// <summary>Inserts <see cref="Enqueue"/>'s rows (those whose dedupe key is new); returns how many. Set-based: each
    /// chunk of rows goes as one JSON array in one parameter, expanded by the engine's own JSON table function, so one
    /// statement inserts thousands of rows instead of a round trip a row (SQLite overrides with the native API).</summary>
    protected virtual int InsertOutboxRows(DbConnection db, DbTransaction tx, IReadOnlyList<OutboxItem> items, object now)
    {
        var inserted = 0;
        using var cmd = Command(db, tx,
            "INSERT INTO outbox (dedupe, channel, target_id, breach_id, event, message_id, sealed_payload, state, attempts, next_attempt, created) " +
            "SELECT j.value->>0, CAST(j.value->>1 AS INTEGER), CAST(j.value->>2 AS BIGINT), CAST(j.value->>3 AS INTEGER), j.value->>4, " +
            "j.value->>5, decode(j.value->>6, 'hex'), 0, 0, @now, @now FROM jsonb_array_elements(CAST(@rows AS jsonb)) AS j(value) " +
            "WHERE true ON CONFLICT (dedupe) DO NOTHING");
        var rows = Parameter(cmd, "@rows");
        Add(cmd, "@now", now);
        for (var start = 0; start < items.Count; start += EnqueueChunk)
        {
            rows.Value = OutboxRowsJson(items, start, Math.Min(EnqueueChunk, items.Count - start));
            inserted += cmd.ExecuteNonQuery();
        }

        return inserted;
    }

    /// <summary>Outbox rows per statement of <see cref="Enqueue"/>.</summary>
    private const int EnqueueChunk = 10_000;

    /// <summary>Rows <paramref name="start"/> .. +<paramref name="count"/> as <c>[[dedupe, channel, target, breach,
    /// event, message id, payload hex or null], …]</c>.</summary>
    private static string OutboxRowsJson(IReadOnlyList<OutboxItem> items, int start, int count)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(count * 96);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            for (var i = start; i < start + count; i++)
            {
                var item = items[i];
                w.WriteStartArray();
                w.WriteStringValue(item.Dedupe);
                w.WriteNumberValue((int)item.Channel);
                w.WriteNumberValue(item.TargetId);
                w.WriteNumberValue(item.BreachId);
                w.WriteStringValue(item.Event);
                w.WriteStringValue(item.MessageId);
                if (item.SealedPayload is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(Convert.ToHexString(item.SealedPayload));
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static DbParameter Parameter(DbCommand cmd, string name)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        cmd.Parameters.Add(p);
        return p;
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> pending rows that are due, for <paramref name="lease"/>: no other worker
    /// (in this process or another replica) gets them until the lease ends, so a worker that dies mid-delivery only
    /// delays its rows. PostgreSQL skips rows another transaction holds (<c>FOR UPDATE SKIP LOCKED</c>). Rows about a
    /// breach above <see cref="MatchedThrough"/> (written ahead of their publish, <see cref="InsertAhead"/>) wait.
    /// </summary>
    public List<OutboxItem> ClaimDue(int max, DateTimeOffset now, TimeSpan lease) => Claim(max, now, lease, "");

    /// <summary>The claim itself; <paramref name="channelFilter"/> is empty or an <c>AND channel IN (…)</c> of enum
    /// values (see the channel-limited overload).</summary>
    private List<OutboxItem> Claim(int max, DateTimeOffset now, TimeSpan lease, string channelFilter) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        using var cmd = Command(db, tx,
            "UPDATE outbox SET claimed_until = @until WHERE id IN (SELECT id FROM outbox WHERE state = 0 AND next_attempt <= @now" + channelFilter +
            " AND (claimed_until IS NULL OR claimed_until <= @now) AND breach_id <= (SELECT generation FROM notify_progress WHERE id = 1) ORDER BY next_attempt, id LIMIT @max" + ClaimLockClause + ") RETURNING " + OutboxColumns);
        Add(cmd, "@until", TimestampValue(now + lease));
        Add(cmd, "@now", TimestampValue(now));
        Add(cmd, "@max", max);
        return ReadOutboxRows(cmd);
    });

    /// <summary>What the claim's inner select adds to lock its rows (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>;
    /// SQLite's write transaction already excludes other writers).</summary>
    protected virtual string ClaimLockClause => "";

    /// <summary>Records a delivery; the row stays (as delivered) for <c>notify status</c> and <c>replay</c>.</summary>
    public void MarkDelivered(long id, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        using var cmd = Command(db, tx,
            "UPDATE outbox SET state = 1, attempts = attempts + 1, claimed_until = NULL, last_error = NULL, finished = @now WHERE id = @id AND state = 0");
        Add(cmd, "@id", id);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        return cmd.ExecuteNonQuery();
    });

    /// <summary>Records several deliveries in one transaction (one commit, so one fsync on SQLite and one round trip on
    /// PostgreSQL, for a group of mails instead of each): the delivery loop acknowledges in groups. Returns how many rows
    /// it marked.</summary>
    public int MarkDelivered(IReadOnlyList<long> ids, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return 0;
        }

        return WriteQuiet((db, tx) =>
        {
            var list = new System.Text.StringBuilder();
            foreach (var id in ids)
            {
                list.Append(list.Length == 0 ? "" : ", ").Append(id.ToString(CultureInfo.InvariantCulture));
            }

            using var cmd = Command(db, tx,
                "UPDATE outbox SET state = 1, attempts = attempts + 1, claimed_until = NULL, last_error = NULL, finished = @now WHERE id IN (" + list + ") AND state = 0");
            Add(cmd, "@now", TimestampValue(Microseconds(now)));
            return cmd.ExecuteNonQuery();
        });
    }

    /// <summary>Records a failed attempt: the row is due again at <paramref name="retryAt"/>, or dead-lettered when
    /// <paramref name="retryAt"/> is null. <paramref name="error"/> is one line about the destination's answer.</summary>
    public void MarkFailed(long id, string error, DateTimeOffset? retryAt, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        using var cmd = Command(db, tx, retryAt is null
            ? "UPDATE outbox SET state = 2, attempts = attempts + 1, claimed_until = NULL, last_error = @error, finished = @now WHERE id = @id AND state = 0"
            : "UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL, last_error = @error, next_attempt = @retry WHERE id = @id AND state = 0");
        Add(cmd, "@id", id);
        Add(cmd, "@error", error);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        if (retryAt is { } at)
        {
            Add(cmd, "@retry", TimestampValue(Microseconds(at)));
        }

        return cmd.ExecuteNonQuery();
    });

    /// <summary>Cancels what is still pending about <paramref name="breachId"/> (it was removed before delivery).</summary>
    public int CancelPending(int breachId, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        using var cmd = Command(db, tx, "UPDATE outbox SET state = 3, claimed_until = NULL, finished = @now WHERE breach_id = @breach AND state = 0");
        Add(cmd, "@breach", breachId);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        return cmd.ExecuteNonQuery();
    });

    /// <summary>Puts dead rows (one, or all when <paramref name="id"/> is null) back in the queue, due at once
    /// (<c>notify retry</c>).</summary>
    public int RetryDead(long? id, DateTimeOffset now) => Requeue(id is null ? "state = 2" : "state = 2 AND id = @id", id, null, now);

    /// <summary>Delivers a breach's notifications again, delivered and dead ones alike, under their same message ids
    /// (<c>notify replay</c>).</summary>
    public int Replay(int breachId, DateTimeOffset now) => Requeue("state IN (1, 2) AND breach_id = @breach", null, breachId, now);

    private int Requeue(string where, long? id, int? breachId, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        using var cmd = Command(db, tx,
            "UPDATE outbox SET state = 0, attempts = 0, claimed_until = NULL, last_error = NULL, finished = NULL, next_attempt = @now WHERE " + where);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        if (id is { } i)
        {
            Add(cmd, "@id", i);
        }

        if (breachId is { } b)
        {
            Add(cmd, "@breach", b);
        }

        return cmd.ExecuteNonQuery();
    });

    /// <summary>Rows not held back (<see cref="InsertAhead"/>): a row written ahead of its publish is no notification
    /// yet, so status and listings leave it out until the marker covers it.</summary>
    private const string NotHeld = "(state <> 0 OR breach_id <= (SELECT generation FROM notify_progress WHERE id = 1))";

    /// <summary>Pending rows held back until the progress marker covers their breach (<see cref="InsertAhead"/>).</summary>
    public long HeldAhead() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT COUNT(*) FROM outbox WHERE state = 0 AND breach_id > (SELECT generation FROM notify_progress WHERE id = 1)");
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    public OutboxCounts OutboxStatus() => Read(db =>
    {
        var counts = new long[4];
        using (var cmd = Command(db, null, "SELECT state, COUNT(*) FROM outbox WHERE " + NotHeld + " GROUP BY state"))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                var state = r.GetInt32(0);
                if (state is >= 0 and < 4)
                {
                    counts[state] = r.GetInt64(1);
                }
            }
        }

        DateTimeOffset? oldest = null;
        using (var cmd = Command(db, null, "SELECT MIN(created) FROM outbox WHERE state = 0 AND " + NotHeld))
        using (var r = cmd.ExecuteReader())
        {
            if (r.Read() && !r.IsDBNull(0))
            {
                oldest = ReadTimestamp(r, 0);
            }
        }

        return new OutboxCounts(counts[0], counts[1], counts[2], counts[3], oldest);
    });

    /// <summary>Outbox rows in one state, oldest first (for <c>notify status --state</c>).</summary>
    public List<OutboxItem> Outbox(OutboxState state, int max) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT " + OutboxColumns + " FROM outbox WHERE state = @state AND " + NotHeld + " ORDER BY id LIMIT @max");
        Add(cmd, "@state", (int)state);
        Add(cmd, "@max", max);
        return ReadOutboxRows(cmd);
    });

    private List<OutboxItem> ReadOutboxRows(DbCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var items = new List<OutboxItem>();
        while (r.Read())
        {
            items.Add(ReadOutbox(r));
        }

        return items;
    }

    private OutboxItem ReadOutbox(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Dedupe = r.GetString(1),
        Channel = (OutboxChannel)r.GetInt32(2),
        TargetId = r.GetInt64(3),
        BreachId = r.GetInt32(4),
        Event = r.GetString(5),
        MessageId = r.GetString(6),
        SealedPayload = r.IsDBNull(7) ? null : (byte[])r.GetValue(7),
        State = (OutboxState)r.GetInt32(8),
        Attempts = r.GetInt32(9),
        NextAttempt = ReadTimestamp(r, 10),
        LastError = r.IsDBNull(11) ? null : r.GetString(11),
        Created = ReadTimestamp(r, 12),
    };

    private enum Column
    {
        Integer,
        Long,
        Blob,
        Text,
        Timestamp,
    }

    /// <summary>The notification tables and their columns, in the order <c>state migrate</c> copies and compares them.</summary>
    private static readonly (string Table, string Order, (string Name, Column Type)[] Columns)[] NotificationTables =
    [
        ("subscriptions", "id", [("id", Column.Long), ("match_key", Column.Blob), ("sealed_address", Column.Blob), ("verify_token_hash", Column.Blob),
            ("verify_expires", Column.Timestamp), ("verify_sent", Column.Timestamp), ("verified", Column.Timestamp),
            ("unsubscribe_token_hash", Column.Blob), ("created", Column.Timestamp)]),
        ("opt_outs", "match_key", [("match_key", Column.Blob), ("created", Column.Timestamp)]),
        ("optout_requests", "token_hash", [("token_hash", Column.Blob), ("match_key", Column.Blob), ("sealed_private", Column.Blob),
            ("expires", Column.Timestamp)]),
        ("optout_private", "match_key", [("match_key", Column.Blob), ("sealed_private", Column.Blob), ("created", Column.Timestamp)]),
        ("monitored", "key_id, match_key", [("key_id", Column.Integer), ("match_key", Column.Blob), ("kind", Column.Integer), ("hint", Column.Text),
            ("created", Column.Timestamp)]),
        ("webhooks", "id", [("id", Column.Long), ("key_id", Column.Integer), ("url", Column.Text), ("sealed_secret", Column.Blob), ("events", Column.Integer),
            ("created", Column.Timestamp), ("disabled", Column.Timestamp), ("disabled_reason", Column.Text)]),
        ("outbox", "id", [("id", Column.Long), ("dedupe", Column.Text), ("channel", Column.Integer), ("target_id", Column.Long), ("breach_id", Column.Integer),
            ("event", Column.Text), ("message_id", Column.Text), ("sealed_payload", Column.Blob), ("state", Column.Integer), ("attempts", Column.Integer),
            ("next_attempt", Column.Timestamp), ("claimed_until", Column.Timestamp), ("last_error", Column.Text), ("created", Column.Timestamp),
            ("finished", Column.Timestamp)]),

        // Domain verification (issue 16): claims and mailed links, tokens as hashes.
        ("domains", "key_id, domain", [("key_id", Column.Integer), ("domain", Column.Text), ("token_hash", Column.Blob), ("created", Column.Timestamp),
            ("verified", Column.Timestamp), ("method", Column.Text), ("sealed_address", Column.Blob)]), // sealed_address: domain alerts (0010)
        ("domain_mail_tokens", "token_hash", [("token_hash", Column.Blob), ("key_id", Column.Integer), ("domain", Column.Text),
            ("created", Column.Timestamp), ("expires", Column.Timestamp), ("sealed_address", Column.Blob)]),
    ];

    /// <summary>Copies every notification row (ids, sealed values and dates as they are) and the matching progress
    /// into <paramref name="destination"/>'s open transaction, for <see cref="StateMigration"/>.</summary>
    internal void CopyNotificationsTo(StateStore destination, DbConnection db, DbTransaction tx)
    {
        foreach (var (table, order, columns) in NotificationTables)
        {
            var names = string.Join(", ", Array.ConvertAll(columns, c => c.Name));
            var rows = Read(source =>
            {
                using var select = Command(source, null, $"SELECT {names} FROM {table} ORDER BY {order}");
                using var r = select.ExecuteReader();
                var list = new List<object?[]>();
                while (r.Read())
                {
                    var row = new object?[columns.Length];
                    for (var i = 0; i < columns.Length; i++)
                    {
                        row[i] = r.IsDBNull(i) ? null : columns[i].Type switch
                        {
                            Column.Integer => r.GetInt32(i),
                            Column.Long => r.GetInt64(i),
                            Column.Blob => (byte[])r.GetValue(i),
                            Column.Text => r.GetString(i),
                            _ => ReadTimestamp(r, i),
                        };
                    }

                    list.Add(row);
                }

                return list;
            });

            using var insert = Command(db, tx,
                $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", Array.ConvertAll(columns, c => "@" + c.Name))})");
            var parameters = Array.ConvertAll(columns, c => Parameter(insert, "@" + c.Name));
            foreach (var row in rows)
            {
                for (var i = 0; i < columns.Length; i++)
                {
                    parameters[i].Value = row[i] switch
                    {
                        null => DBNull.Value,
                        DateTimeOffset t => destination.TimestampValue(t),
                        var v => v,
                    };
                }

                insert.ExecuteNonQuery();
            }
        }

        using var progress = Command(db, tx, "UPDATE notify_progress SET generation = @generation WHERE id = 1");
        Add(progress, "@generation", MatchedThrough());
        progress.ExecuteNonQuery();
        destination.AfterCopyingNotifications(db, tx);
    }

    /// <summary>After rows were copied with their ids: PostgreSQL moves its identity sequences past them.</summary>
    protected virtual void AfterCopyingNotifications(DbConnection db, DbTransaction tx)
    {
    }

    /// <summary>Row counts of the notification tables and a SHA-256 over their content in an engine-neutral form
    /// (blobs as hex, dates as ticks), so <c>state migrate</c> can prove the copy equal.</summary>
    public (long Rows, string Sha256) NotificationDigest() => Read(db =>
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        long rows = 0;
        var line = new System.Text.StringBuilder();
        foreach (var (table, order, columns) in NotificationTables)
        {
            var names = string.Join(", ", Array.ConvertAll(columns, c => c.Name));
            using var select = Command(db, null, $"SELECT {names} FROM {table} ORDER BY {order}");
            using var r = select.ExecuteReader();
            while (r.Read())
            {
                rows++;
                line.Clear().Append(table);
                for (var i = 0; i < columns.Length; i++)
                {
                    line.Append('|');
                    if (r.IsDBNull(i))
                    {
                        continue;
                    }

                    _ = columns[i].Type switch
                    {
                        Column.Integer or Column.Long => line.Append(r.GetInt64(i)),
                        Column.Blob => line.Append(Convert.ToHexStringLower((byte[])r.GetValue(i))),
                        Column.Text => line.Append(r.GetString(i)),
                        _ => line.Append(ReadTimestamp(r, i).UtcTicks),
                    };
                }

                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(line.Append('\n').ToString()));
            }
        }

        line.Clear().Append("progress|").Append(MatchedThroughIn(db));
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(line.ToString()));
        return (rows, Convert.ToHexStringLower(hash.GetHashAndReset()));
    });

    private static long MatchedThroughIn(DbConnection db) => MatchedThroughIn(db, null);

    private static long MatchedThroughIn(DbConnection db, DbTransaction? tx)
    {
        using var cmd = Command(db, tx, "SELECT generation FROM notify_progress WHERE id = 1");
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
