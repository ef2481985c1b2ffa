using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Leakwatch.Core.Errors;
using Npgsql;

namespace Leakwatch.Catalog.State;

/// <summary>
/// The shared state store: a PostgreSQL database a writer and its replicas use at once. Each operation rents a
/// connection from Npgsql's pool (one <see cref="NpgsqlDataSource"/> per URL and process), so a server that lost
/// PostgreSQL reconnects by itself on the next operation. The schema is migrated once per process, under an
/// advisory lock, so replicas starting together do not race.
/// </summary>
public sealed class PostgresStateStore : StateStore
{
    // Any constant shared by every Leakwatch process: it names the migration lock among the database's advisory locks.
    private const long MigrationLock = 0x4c65616b77617463; // "Leakwatc"
    private const long KeyIdLock = MigrationLock + 1;
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> Sources = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, bool> Migrated = new(StringComparer.Ordinal);
    private readonly NpgsqlDataSource _source;

    private PostgresStateStore(StateLocation location, string dataDir, NpgsqlDataSource source)
        : base(location, dataDir) => _source = source;

    public override string DisplayName => Location.Display;

    /// <summary>Opens the store, migrating the schema on the first open in this process.</summary>
    public static PostgresStateStore OpenAt(StateLocation location, string dataDir)
    {
        var store = new PostgresStateStore(location, dataDir, SourceFor(location));
        if (!Migrated.ContainsKey(location.ConnectionString!))
        {
            store.Guard(() =>
            {
                store.Upgrade();
                return 0;
            });
            Migrated[location.ConnectionString!] = true;
        }

        return store;
    }

    private static NpgsqlDataSource SourceFor(StateLocation location) =>
        Sources.GetOrAdd(location.ConnectionString!, static cs => NpgsqlDataSource.Create(cs));

    private void Upgrade()
    {
        using var lockHolder = _source.OpenConnection();
        using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock})", lockHolder))
        {
            take.ExecuteNonQuery();
        }

        try
        {
            StateSchema.UpgradePostgres(Location.ConnectionString!, DisplayName);
        }
        finally
        {
            using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLock})", lockHolder);
            release.ExecuteNonQuery();
        }
    }

    /// <summary>The revision counter: one tiny query on a pooled connection, for a replica's once-a-second poll.</summary>
    public static string ReadRevision(StateLocation location)
    {
        var source = SourceFor(location);
        return Guard(location, () =>
        {
            using var cmd = source.CreateCommand("SELECT value FROM state_revision WHERE id = 1");
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Drops the pooled connections of <paramref name="location"/> (after an outage broke them).</summary>
    public static void ClearPool(StateLocation location)
    {
        if (Sources.TryGetValue(location.ConnectionString!, out var source))
        {
            source.Clear();
        }
    }

    /// <summary>True when the store has no breach, key or used breach id (a fit target for <c>state migrate</c>).</summary>
    public bool IsEmpty() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT (SELECT COUNT(*) FROM breaches) + (SELECT COUNT(*) FROM api_keys) + (SELECT last FROM breach_ids) + (SELECT COUNT(*) FROM subscriptions) + (SELECT COUNT(*) FROM outbox) + (SELECT COUNT(*) FROM opt_outs)");
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) == 0;
    });

    protected override void LockKeyIds(DbConnection db, DbTransaction tx)
    {
        using var cmd = Command(db, tx, $"SELECT pg_advisory_xact_lock({KeyIdLock})");
        cmd.ExecuteNonQuery();
    }

    protected override string ClaimLockClause => " FOR UPDATE SKIP LOCKED";

    protected override void AfterCopyingNotifications(DbConnection db, DbTransaction tx)
    {
        // Rows came with their ids: the next generated one must follow the highest copied.
        using var cmd = Command(db, tx,
            "SELECT setval(pg_get_serial_sequence('subscriptions', 'id'), COALESCE((SELECT MAX(id) FROM subscriptions), 0) + 1, false); " +
            "SELECT setval(pg_get_serial_sequence('webhooks', 'id'), COALESCE((SELECT MAX(id) FROM webhooks), 0) + 1, false); " +
            "SELECT setval(pg_get_serial_sequence('outbox', 'id'), COALESCE((SELECT MAX(id) FROM outbox), 0) + 1, false);");
        cmd.ExecuteNonQuery();
    }

    protected override ConnectionLease Connect() => new(_source.OpenConnection(), owned: true);

    protected override T Guard<T>(Func<T> action) => Guard(Location, action);

    private static T Guard<T>(StateLocation location, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (PostgresException e) when (IsUnavailable(e))
        {
            throw new LeakwatchException(ErrorKind.StateUnavailable, $"state store {location.Display}: {e.SqlState}: {e.MessageText}", e);
        }
        catch (PostgresException e)
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"state store {location.Display}: {e.SqlState}: {e.MessageText}", e);
        }
        catch (NpgsqlException e)
        {
            throw Unreachable(location, e);
        }
        catch (TimeoutException e)
        {
            throw Unreachable(location, e);
        }
    }

    /// <summary>Authentication, a missing database, a server shutting down or starting: the store cannot be used.</summary>
    private static bool IsUnavailable(PostgresException e) =>
        e.SqlState.StartsWith("28", StringComparison.Ordinal) || e.SqlState.StartsWith("3D", StringComparison.Ordinal)
        || e.SqlState.StartsWith("57P", StringComparison.Ordinal) || e.SqlState.StartsWith("08", StringComparison.Ordinal);

    /// <summary>Names host:port and the reason (refused, timed out), never the password.</summary>
    public static LeakwatchException Unreachable(StateLocation location, Exception e)
    {
        var reason = e.InnerException is SocketException s ? s.Message
            : e is TimeoutException || e.InnerException is TimeoutException ? "timed out"
            : e.Message;
        return new LeakwatchException(ErrorKind.StateUnavailable, $"state store {location.Endpoint} unreachable ({location.Display}): {reason}", e);
    }

    public override List<string> Verify() => StateSchema.Problems(Schema(), DisplayName);

    public override SchemaStatus Schema() => Guard(() => StateSchema.ProbePostgres(Location.ConnectionString!));

    protected override object DateValue(DateOnly date) => date;

    protected override object TimestampValue(DateTimeOffset time) => time.UtcDateTime;

    protected override DateOnly ReadDate(DbDataReader r, int ordinal) => r.GetFieldValue<DateOnly>(ordinal);

    protected override DateTimeOffset ReadTimestamp(DbDataReader r, int ordinal) =>
        new(DateTime.SpecifyKind(r.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

    /// <summary>Runs <paramref name="work"/> in one transaction (for <see cref="StateMigration"/>).</summary>
    internal T InTransaction<T>(Func<DbConnection, DbTransaction, T> work) => Write(work, touchesBreaches: false);

    public override void Dispose()
    {
        // The data source and its pool live for the process: the next store opened for this URL reuses them.
    }
}
