using System.Data.Common;
using System.Globalization;
using Leakwatch.Core.Errors;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Leakwatch.Catalog.State;

/// <summary>
/// The embedded state store: <c>catalog.db</c> (SQLite, WAL) in the data dir, one connection per store. Every write
/// also replaces <c>catalog.revision</c> (<see cref="CatalogRevision"/>), which a running server watches, so it can
/// tell that what it serves is stale by reading 32 bytes instead of querying SQLite.
/// </summary>
public sealed class SqliteStateStore : StateStore
{
    public const string FileName = "catalog.db";
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    private readonly SqliteConnection _db;
    private readonly bool _readOnly;

    private SqliteStateStore(SqliteConnection db, string dataDir, bool readOnly)
        : base(StateLocation.Embedded, dataDir)
    {
        _db = db;
        _readOnly = readOnly;
    }

    public override string DisplayName => PathIn(DataDir);

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    public static bool ExistsIn(string dataDir) => File.Exists(PathIn(dataDir));

    /// <summary>Opens for writing, creating <c>catalog.db</c> and migrating it (pre-DbUp catalogues are adopted).</summary>
    public static SqliteStateStore Open(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = PathIn(dataDir);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            WithPath(path, () =>
            {
                db.Open();
                // secure_delete: a removed breach's row and report are overwritten with zeros, not left in free pages.
                Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA secure_delete=ON;");
                var version = StateSchema.UserVersion(db);
                var latest = StateSchema.LatestVersion(StateEngine.Sqlite);
                if (version > latest)
                {
                    throw new LeakwatchException(ErrorKind.DataDir, $"{path}: schema version {version} is newer than this Leakwatch ({latest}); upgrade Leakwatch");
                }

                StateSchema.UpgradeSqlite(db, path);
                return 0;
            });
        }
        catch
        {
            db.Dispose();
            throw;
        }

        return new SqliteStateStore(db, dataDir, readOnly: false);
    }

    /// <summary>Opens for reading only: no migrations, no journal-mode change. Null when there is no catalogue.</summary>
    public static SqliteStateStore? OpenReadOnly(string dataDir)
    {
        var path = PathIn(dataDir);
        if (!File.Exists(path))
        {
            return null;
        }

        SqliteConnection db;
        try
        {
            db = OpenReadOnlyConnection(path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteIoError or SqliteCantOpen && !HasWalContent(path))
        {
            // A WAL database opened read-only still creates its -shm index, which a full disk refuses. With no
            // writer (no WAL content) the file alone is the whole database, so it is read as immutable: no -shm.
            db = OpenReadOnlyConnection("file:" + path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal)
                .Replace("#", "%23", StringComparison.Ordinal) + "?immutable=1");
        }

        // Readers need the breach rows and reports (version 2); later versions added what only writers touch.
        var version = StateSchema.UserVersion(db);
        var latest = StateSchema.LatestVersion(StateEngine.Sqlite);
        if (version < 2 || version > latest)
        {
            db.Dispose();
            throw new LeakwatchException(ErrorKind.DataDir, version > latest
                ? $"{path}: schema version {version} is newer than this Leakwatch ({latest}); upgrade Leakwatch"
                : $"{path}: catalogue schema version {version} is too old to read; run any write command to migrate it");
        }

        return new SqliteStateStore(db, dataDir, readOnly: true);
    }

    private static SqliteConnection OpenReadOnlyConnection(string dataSource)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dataSource, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        try
        {
            db.Open();
            // A first read, here: it is what creates the WAL's -shm index, which a full disk refuses (the caller then
            // falls back to reading the file as immutable).
            Exec(db, "PRAGMA busy_timeout=5000;");
            StateSchema.UserVersion(db);
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static bool HasWalContent(string path) => new FileInfo(path + "-wal") is { Exists: true, Length: > 0 };

    // One connection, lent to one thread at a time: a server's request threads and its delivery worker share it.
    protected override ConnectionLease Connect() => new(_db, owned: false, gate: _db);

    protected override void Committed() => CatalogRevision.Bump(DataDir);

    /// <summary>SQLite has no round trip to save, and binds parameters by name with a linear search: many rows per
    /// statement would cost more than they save.</summary>
    protected override int MonitorBatch => 16;


    protected override void Deleted() =>
        // The zeroed pages reach catalog.db and the WAL, which may still hold the row as written, is emptied.
        Guard(() =>
        {
            Exec(_db, "PRAGMA wal_checkpoint(TRUNCATE);");
            return 0;
        });

    /// <summary>A catalogue from before API keys were part of the schema may have no key table: no keys.</summary>
    public override List<ApiKey> Keys() => _readOnly && !StateSchema.HasTable(_db, "api_keys") ? [] : base.Keys();

    /// <summary>SQLite reports a full disk (SQLITE_FULL) or a failed write (SQLITE_IOERR) without naming the file: the
    /// error becomes the data dir's one line naming catalog.db (exit 4), not an internal error.</summary>
    protected override T Guard<T>(Func<T> action) => WithPath(DisplayName, action);

    private static T WithPath<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteFull or SqliteIoError)
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"{path}: {e.Message}", e);
        }
    }

    public override List<string> Verify()
    {
        var problems = new List<string>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "PRAGMA integrity_check";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var s = r.GetString(0);
                if (s != "ok")
                {
                    problems.Add($"{FileName}: {s}");
                }
            }
        }

        problems.AddRange(StateSchema.Problems(Schema(), FileName));
        return problems;
    }

    public override SchemaStatus Schema()
    {
        if (StateSchema.HasTable(_db, StateSchema.JournalTable))
        {
            return StateSchema.ProbeSqlite(_db);
        }

        // A catalogue no DbUp-era Leakwatch has written yet: what its user_version says it has.
        var scripts = StateSchema.Scripts(StateEngine.Sqlite);
        var version = StateSchema.UserVersion(_db);
        var pending = new List<string>();
        for (var i = Math.Max(0, version); i < scripts.Count; i++)
        {
            pending.Add(scripts[i].Name);
        }

        return new SchemaStatus(pending, []);
    }

    protected override object DateValue(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    protected override object TimestampValue(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Through SQLite's native API (SQLitePCL.raw, the library Microsoft.Data.Sqlite wraps): the key is lent
    /// straight from SQLite's row buffer, where the ADO.NET reader costs an array a row or ~5 µs a <c>GetBytes</c>.
    /// One million keys: ~0.3 s instead of ~1.1 s, and no garbage beside a merge that is running.</summary>
    protected override void ReadVerifiedKeys(DbConnection db, object? after, object by, SubscriptionKeyVisitor each)
    {
        var handle = ((SqliteConnection)db).Handle!;
        using var stmt = Prepare(handle, VerifiedKeysSql(after is not null).Replace("@by", "?1", StringComparison.Ordinal).Replace("@after", "?2", StringComparison.Ordinal));
        Check(handle, raw.sqlite3_bind_text(stmt, 1, (string)by));
        if (after is not null)
        {
            Check(handle, raw.sqlite3_bind_text(stmt, 2, (string)after));
        }

        int rc;
        while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
        {
            each(raw.sqlite3_column_int64(stmt, 0), raw.sqlite3_column_blob(stmt, 1));
        }

        if (rc != raw.SQLITE_DONE)
        {
            Check(handle, rc);
        }
    }

    /// <summary>Row by row through the native API, one prepared statement bound by position: ~3 µs a row, where the
    /// ADO.NET command (bound by name) cost ~16 µs and a JSON array expanded by <c>json_each</c> ~9 µs.</summary>
    protected override int InsertOutboxRows(DbConnection db, DbTransaction tx, IReadOnlyList<OutboxItem> items, object now)
    {
        var handle = ((SqliteConnection)db).Handle!;
        using var stmt = Prepare(handle,
            "INSERT INTO outbox (dedupe, channel, target_id, breach_id, event, message_id, sealed_payload, state, attempts, next_attempt, created) " +
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, ?8, ?8) ON CONFLICT (dedupe) DO NOTHING");
        Check(handle, raw.sqlite3_bind_text(stmt, 8, (string)now));
        var inserted = 0;
        foreach (var item in items)
        {
            Check(handle, raw.sqlite3_bind_text(stmt, 1, item.Dedupe));
            Check(handle, raw.sqlite3_bind_int(stmt, 2, (int)item.Channel));
            Check(handle, raw.sqlite3_bind_int64(stmt, 3, item.TargetId));
            Check(handle, raw.sqlite3_bind_int(stmt, 4, item.BreachId));
            Check(handle, raw.sqlite3_bind_text(stmt, 5, item.Event));
            Check(handle, raw.sqlite3_bind_text(stmt, 6, item.MessageId));
            Check(handle, item.SealedPayload is null ? raw.sqlite3_bind_null(stmt, 7) : raw.sqlite3_bind_blob(stmt, 7, item.SealedPayload));
            var rc = raw.sqlite3_step(stmt);
            if (rc != raw.SQLITE_DONE)
            {
                Check(handle, rc);
            }

            inserted += raw.sqlite3_changes(handle);
            Check(handle, raw.sqlite3_reset(stmt));
        }

        return inserted;
    }

    private static sqlite3_stmt Prepare(sqlite3 handle, string sql)
    {
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var stmt));
        return stmt;
    }

    /// <summary>A native call's result as Microsoft.Data.Sqlite reports it (a <see cref="SqliteException"/> with
    /// SQLite's message), so the store's error handling sees one kind of failure.</summary>
    private static void Check(sqlite3 handle, int rc) => SqliteException.ThrowExceptionForRC(rc, handle);

    protected override DateOnly ReadDate(DbDataReader r, int ordinal) =>
        DateOnly.ParseExact(r.GetString(ordinal), "yyyy-MM-dd", CultureInfo.InvariantCulture);

    protected override DateTimeOffset ReadTimestamp(DbDataReader r, int ordinal) =>
        DateTimeOffset.Parse(r.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public override void Dispose() => _db.Dispose();
}
