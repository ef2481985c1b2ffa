using System.Data.Common;
using Leakwatch.Core.Errors;

namespace Leakwatch.Catalog.State;

/// <summary>
/// Breach rows, API keys and the state revision, in SQLite beside the index (<see cref="SqliteStateStore"/>, the
/// embedded default) or in a PostgreSQL database a writer and its replicas share (<see cref="PostgresStateStore"/>).
/// Both run the same SQL, with one schema per engine migrated by <see cref="StateSchema"/>. A breach row becomes
/// visible only once the index manifest lists its id (<see cref="PublishedBreaches"/>), so a kill between the
/// two leaves nothing half-published. Every committed write increments the state revision in its own transaction.
/// </summary>
public abstract partial class StateStore : IDisposable
{
    protected StateStore(StateLocation location, string dataDir)
    {
        Location = location;
        DataDir = dataDir;
    }

    public StateLocation Location { get; }

    /// <summary>The data dir whose index this state describes (and where <c>breaches.json</c> is kept).</summary>
    public string DataDir { get; }

    /// <summary>How messages name this store: <c>…/catalog.db</c> or the URL without its password.</summary>
    public abstract string DisplayName { get; }

    /// <summary>Opens for writing, creating and migrating the schema as needed.</summary>
    public static StateStore Open(StateLocation? location, string dataDir) =>
        location is null || location.IsEmbedded ? SqliteStateStore.Open(dataDir) : PostgresStateStore.OpenAt(location, dataDir);

    /// <summary>Opens for reading: no migration of an embedded catalogue (fast for a one-shot <c>check</c>); null
    /// when there is no embedded catalogue yet.</summary>
    public static StateStore? OpenReadOnly(StateLocation? location, string dataDir) =>
        location is null || location.IsEmbedded ? SqliteStateStore.OpenReadOnly(dataDir) : PostgresStateStore.OpenAt(location, dataDir);

    /// <summary>The state revision, cheaply: the embedded store's <c>catalog.revision</c> token (no SQLite open),
    /// PostgreSQL's counter (one tiny query on a pooled connection). Only inequality matters.</summary>
    public static string ReadRevision(StateLocation? location, string dataDir) =>
        location is null || location.IsEmbedded ? CatalogRevision.Read(dataDir) : PostgresStateStore.ReadRevision(location);

    /// <summary>A connection for one operation.</summary>
    protected abstract ConnectionLease Connect();

    /// <summary>Runs after a write commits (the embedded store replaces <c>catalog.revision</c>).</summary>
    protected virtual void Committed()
    {
    }

    /// <summary>Turns engine errors into the one-line errors the CLI prints (a full disk, a lost server).</summary>
    protected abstract T Guard<T>(Func<T> action);

    /// <summary>Integrity problems and migration status; empty when healthy.</summary>
    public abstract List<string> Verify();

    /// <summary>Migrations applied and pending.</summary>
    public abstract SchemaStatus Schema();

    /// <summary>The revision counter inside the store (both engines keep it).</summary>
    public long RevisionCounter() => Guard(() =>
    {
        using var lease = Connect();
        using var cmd = Command(lease.Connection, null, "SELECT value FROM state_revision WHERE id = 1");
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>Runs <paramref name="work"/> in one transaction that also increments the state revision. A write of
    /// breach rows first removes <c>breaches.json</c>, the snapshot of them (rewritten after the commit).</summary>
    protected T Write<T>(Func<DbConnection, DbTransaction, T> work, bool touchesBreaches = true) => Guard(() =>
    {
        if (touchesBreaches)
        {
            PublishedBreachSnapshot.Invalidate(DataDir);
        }

        T result;
        using (var lease = Connect())
        {
            using var tx = lease.Connection.BeginTransaction();
            result = work(lease.Connection, tx);
            using (var bump = Command(lease.Connection, tx, "UPDATE state_revision SET value = value + 1 WHERE id = 1"))
            {
                bump.ExecuteNonQuery();
            }

            tx.Commit();
        }

        Committed();
        return result;
    });

    /// <summary>Runs <paramref name="work"/> in one transaction that leaves the state revision alone: for rows no
    /// replica caches (subscriptions, the outbox), which change far too often to make every replica reload.</summary>
    protected T WriteQuiet<T>(Func<DbConnection, DbTransaction, T> work) => Guard(() =>
    {
        using var lease = Connect();
        using var tx = lease.Connection.BeginTransaction();
        var result = work(lease.Connection, tx);
        tx.Commit();
        return result;
    });

    protected T Read<T>(Func<DbConnection, T> work) => Guard(() =>
    {
        using var lease = Connect();
        return work(lease.Connection);
    });

    protected static DbCommand Command(DbConnection db, DbTransaction? tx, string sql)
    {
        var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    protected static void Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    // Column values that differ between engines: SQLite keeps dates as ISO text, PostgreSQL as date/timestamptz.
    protected abstract object DateValue(DateOnly date);

    protected abstract object TimestampValue(DateTimeOffset time);

    protected abstract DateOnly ReadDate(DbDataReader r, int ordinal);

    protected abstract DateTimeOffset ReadTimestamp(DbDataReader r, int ordinal);

    /// <summary>Both engines keep timestamps to the microsecond (PostgreSQL's resolution), so a migrated row equals its source.</summary>
    public static DateTimeOffset Microseconds(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    protected static LeakwatchException NotFound(string what) => new(ErrorKind.NotFound, what);

    public abstract void Dispose();
}
