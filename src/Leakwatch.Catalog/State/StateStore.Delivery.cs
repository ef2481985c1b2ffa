using System.Globalization;

namespace Leakwatch.Catalog.State;

public abstract partial class StateStore
{
    /// <summary>
    /// <see cref="ClaimDue(int, DateTimeOffset, TimeSpan)"/> for the rows of <paramref name="channels"/> only: a
    /// process that cannot deliver a channel (no SMTP relay configured) leaves its rows to one that can, instead of
    /// leasing them, and they never crowd its own rows out of a batch.
    /// </summary>
    public List<OutboxItem> ClaimDue(int max, DateTimeOffset now, TimeSpan lease, IReadOnlyCollection<OutboxChannel> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0)
        {
            return [];
        }

        // The channel numbers are the enum's own values, written into the SQL as integers: no text from outside.
        var list = new System.Text.StringBuilder();
        foreach (var channel in channels)
        {
            list.Append(list.Length == 0 ? "" : ", ").Append(((int)channel).ToString(CultureInfo.InvariantCulture));
        }

        return Claim(max, now, lease, $" AND channel IN ({list})");
    }

    /// <summary>Outbox rows by channel and state (<c>notify status</c>).</summary>
    public List<OutboxChannelCount> OutboxCountsByChannel() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT channel, state, COUNT(*) FROM outbox WHERE " + NotHeld + " GROUP BY channel, state ORDER BY channel, state");
        using var r = cmd.ExecuteReader();
        var counts = new List<OutboxChannelCount>();
        while (r.Read())
        {
            counts.Add(new OutboxChannelCount((OutboxChannel)r.GetInt32(0), (OutboxState)r.GetInt32(1), r.GetInt64(2)));
        }

        return counts;
    });

    /// <summary>The newest rows that carry an error (pending retries and dead letters), newest first.</summary>
    public List<OutboxItem> RecentErrors(int max) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT " + OutboxColumns + " FROM outbox WHERE last_error IS NOT NULL AND state IN (0, 2) ORDER BY id DESC LIMIT @max");
        Add(cmd, "@max", max);
        return ReadOutboxRows(cmd);
    });
}
