using System.Globalization;

namespace Leakwatch.Catalog.State;

/// <summary>What the individual's endpoints need beyond <c>StateStore.Notifications.cs</c>: a single outbox row
/// (a verification mail), a subscription's id, and the opt-out requests waiting for their mailed link.</summary>
public abstract partial class StateStore
{
    /// <summary>Writes one notification (a verification or reminder mail) without touching the matching progress,
    /// which only a matching pass moves (<see cref="Enqueue"/>); false when a row with its dedupe already exists.</summary>
    public bool EnqueueOne(OutboxItem item, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        ArgumentNullException.ThrowIfNull(item);
        now = Microseconds(now);
        using var cmd = Command(db, tx,
            "INSERT INTO outbox (dedupe, channel, target_id, breach_id, event, message_id, sealed_payload, state, attempts, next_attempt, created) " +
            "VALUES (@dedupe, @channel, @target, @breach, @event, @message, @payload, 0, 0, @now, @now) ON CONFLICT (dedupe) DO NOTHING");
        Add(cmd, "@dedupe", item.Dedupe);
        Add(cmd, "@channel", (int)item.Channel);
        Add(cmd, "@target", item.TargetId);
        Add(cmd, "@breach", item.BreachId);
        Add(cmd, "@event", item.Event);
        Add(cmd, "@message", item.MessageId);
        Add(cmd, "@payload", item.SealedPayload);
        Add(cmd, "@now", TimestampValue(now));
        return cmd.ExecuteNonQuery() > 0;
    });

    /// <summary>The id of the subscription of the identifier whose index key is <paramref name="matchKey"/>, or null.</summary>
    public long? SubscriptionIdOf(byte[] matchKey) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT id FROM subscriptions WHERE match_key = @key");
        Add(cmd, "@key", matchKey);
        return cmd.ExecuteScalar() is { } id and not DBNull ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : (long?)null;
    });

    /// <summary>Records an opt-out request whose mailed link carries the token hashing to <paramref name="tokenHash"/>,
    /// valid until <paramref name="expires"/>; false (and nothing written) when a request for the same identifier was
    /// recorded within <paramref name="quiet"/> before now, so that asking again cannot flood an inbox. Expired
    /// requests are erased on the way.</summary>
    public bool AddOptOutRequest(byte[] tokenHash, byte[] matchKey, byte[]? sealedPrivate, DateTimeOffset now, DateTimeOffset expires, TimeSpan quiet) =>
        WriteQuiet((db, tx) =>
        {
            now = Microseconds(now);
            expires = Microseconds(expires);
            DeleteExpiredOptOutRequests(db, tx, now);
            using (var recent = Command(db, tx, "SELECT COUNT(*) FROM optout_requests WHERE match_key = @key AND expires > @since"))
            {
                // A request's age is its validity minus what is left of it.
                Add(recent, "@key", matchKey);
                Add(recent, "@since", TimestampValue(expires - quiet));
                if (Convert.ToInt64(recent.ExecuteScalar(), CultureInfo.InvariantCulture) > 0)
                {
                    return false;
                }
            }

            using var cmd = Command(db, tx,
                "INSERT INTO optout_requests (token_hash, match_key, sealed_private, expires) VALUES (@token, @key, @private, @expires)");
            Add(cmd, "@token", tokenHash);
            Add(cmd, "@key", matchKey);
            Add(cmd, "@private", sealedPrivate);
            Add(cmd, "@expires", TimestampValue(expires));
            return cmd.ExecuteNonQuery() > 0;
        });

    /// <summary>True while the request whose token hashes to <paramref name="tokenHash"/> waits and has not expired
    /// (the confirmation page asks before anything changes).</summary>
    public bool OptOutRequestPending(byte[] tokenHash, DateTimeOffset now) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT COUNT(*) FROM optout_requests WHERE token_hash = @token AND expires > @now");
        Add(cmd, "@token", tokenHash);
        Add(cmd, "@now", TimestampValue(Microseconds(now)));
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    });

    /// <summary>
    /// Completes the opt-out request whose token hashes to <paramref name="tokenHash"/>, in one transaction: the request
    /// is erased (its link works once), the index key joins <c>opt_outs</c> and its sealed private form
    /// <c>optout_private</c>. Null when no unexpired request holds the token.
    /// </summary>
    public OptOutRecord? ConfirmOptOut(byte[] tokenHash, DateTimeOffset now) => WriteQuiet((db, tx) =>
    {
        now = Microseconds(now);
        OptOutRecord? found = null;
        using (var take = Command(db, tx, "DELETE FROM optout_requests WHERE token_hash = @token AND expires > @now RETURNING match_key, sealed_private"))
        {
            Add(take, "@token", tokenHash);
            Add(take, "@now", TimestampValue(now));
            using var r = take.ExecuteReader();
            if (r.Read())
            {
                found = new OptOutRecord((byte[])r.GetValue(0), r.IsDBNull(1) ? null : (byte[])r.GetValue(1));
            }
        }

        DeleteExpiredOptOutRequests(db, tx, now);
        if (found is null)
        {
            return null;
        }

        using (var add = Command(db, tx, "INSERT INTO opt_outs (match_key, created) VALUES (@key, @now) ON CONFLICT (match_key) DO NOTHING"))
        {
            Add(add, "@key", found.MatchKey);
            Add(add, "@now", TimestampValue(now));
            add.ExecuteNonQuery();
        }

        if (found.SealedPrivate is not null)
        {
            using var keep = Command(db, tx,
                "INSERT INTO optout_private (match_key, sealed_private, created) VALUES (@key, @private, @now) " +
                "ON CONFLICT (match_key) DO UPDATE SET sealed_private = excluded.sealed_private");
            Add(keep, "@key", found.MatchKey);
            Add(keep, "@private", found.SealedPrivate);
            Add(keep, "@now", TimestampValue(now));
            keep.ExecuteNonQuery();
        }

        return found;
    });

    /// <summary>Every opt-out with its sealed private form (null where none was kept), for a server to load at start
    /// and follow. Ordered by index key.</summary>
    public List<OptOutRecord> OptOutRecords() => Read(db =>
    {
        using var cmd = Command(db, null,
            "SELECT o.match_key, p.sealed_private FROM opt_outs o LEFT JOIN optout_private p ON p.match_key = o.match_key ORDER BY o.match_key");
        using var r = cmd.ExecuteReader();
        var list = new List<OptOutRecord>();
        while (r.Read())
        {
            list.Add(new OptOutRecord((byte[])r.GetValue(0), r.IsDBNull(1) ? null : (byte[])r.GetValue(1)));
        }

        return list;
    });

    /// <summary>How many opt-outs the store holds: a server polls this cheaply and reloads the list when it moved
    /// (opt-out writes leave the state revision alone).</summary>
    public long OptOutCount() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT (SELECT COUNT(*) FROM opt_outs) + (SELECT COUNT(*) FROM optout_private)");
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    private void DeleteExpiredOptOutRequests(System.Data.Common.DbConnection db, System.Data.Common.DbTransaction tx, DateTimeOffset now)
    {
        using var cmd = Command(db, tx, "DELETE FROM optout_requests WHERE expires <= @now");
        Add(cmd, "@now", TimestampValue(now));
        cmd.ExecuteNonQuery();
    }
}
