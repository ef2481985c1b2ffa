using Leakwatch.Core.Errors;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Core;
using Microsoft.Data.Sqlite;

namespace Leakwatch.Catalog;

/// <summary>
/// Breach metadata in SQLite beside the index (<c>catalog.db</c>). A breach row becomes visible only once the
/// index manifest lists its id, so a kill between the two leaves nothing half-published.
/// </summary>
public sealed class BreachCatalog : IDisposable
{
    public const string FileName = "catalog.db";
    private const int SchemaVersion = 3;
    private readonly SqliteConnection _db;
    private readonly string _dataDir;

    private BreachCatalog(SqliteConnection db, string dataDir)
    {
        _db = db;
        _dataDir = dataDir;
    }

    /// <summary>Opens for reading only: no migrations, no journal-mode change (fast for a one-shot `check`).</summary>
    public static BreachCatalog OpenReadOnly(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        SqliteConnection db;
        int version;
        try
        {
            db = OpenReadOnlyConnection(path, out version);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteIoError or SqliteCantOpen && !HasWalContent(path))
        {
            // A WAL database opened read-only still creates its -shm index, which a full disk refuses. With no
            // writer (no WAL content) the file alone is the whole database, so it is read as immutable: no -shm.
            db = OpenReadOnlyConnection("file:" + path.Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal)
                .Replace("#", "%23", StringComparison.Ordinal) + "?immutable=1", out version);
        }

        if (version is < 2 or > SchemaVersion)
        {
            db.Dispose();
            throw new LeakwatchException(ErrorKind.DataDir, $"{path}: catalogue schema is not version {SchemaVersion}; run any write command to migrate it");
        }

        return new BreachCatalog(db, dataDir);
    }

    private static SqliteConnection OpenReadOnlyConnection(string dataSource, out int version)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = dataSource, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        try
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "PRAGMA user_version";
            // Version 3 only added the id counter, which readers never touch.
            version = Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static bool HasWalContent(string path) => new FileInfo(path + "-wal") is { Exists: true, Length: > 0 };

    public static BreachCatalog Open(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, FileName);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            WithPath(dataDir, () =>
            {
                db.Open();
                // secure_delete: a removed breach's row and report are overwritten with zeros, not left in free pages.
                Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA secure_delete=ON;");
                Migrate(db);
                return 0;
            });
        }
        catch
        {
            db.Dispose();
            throw;
        }

        return new BreachCatalog(db, dataDir);
    }

    private static void Migrate(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"catalog.db: schema version {version} is newer than this Leakwatch ({SchemaVersion})");
        }

        if (version < 1)
        {
            Exec(db, """
                CREATE TABLE breaches (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    title TEXT NOT NULL,
                    domain TEXT NOT NULL DEFAULT '',
                    breach_date TEXT NOT NULL,
                    added_date TEXT NOT NULL,
                    modified_date TEXT NOT NULL,
                    pwn_count INTEGER NOT NULL DEFAULT 0,
                    description TEXT NOT NULL DEFAULT '',
                    logo_path TEXT NOT NULL DEFAULT '',
                    data_classes TEXT NOT NULL DEFAULT '[]',
                    is_verified INTEGER NOT NULL DEFAULT 1,
                    is_fabricated INTEGER NOT NULL DEFAULT 0,
                    is_sensitive INTEGER NOT NULL DEFAULT 0,
                    is_retired INTEGER NOT NULL DEFAULT 0,
                    is_spam_list INTEGER NOT NULL DEFAULT 0,
                    is_malware INTEGER NOT NULL DEFAULT 0,
                    is_subscription_free INTEGER NOT NULL DEFAULT 0,
                    is_stealer_log INTEGER NOT NULL DEFAULT 0,
                    stats_json TEXT
                );
                PRAGMA user_version = 1;
                """);
        }

        if (version < 2)
        {
            // The verification report built during ingest: aggregates only, never an identifier.
            Exec(db, "ALTER TABLE breaches ADD COLUMN report_json TEXT; PRAGMA user_version = 2;");
        }

        if (version < 3)
        {
            // The highest id ever handed out: ids are never reused, so an id held anywhere (a private index
            // entry, a report, a webhook) can never come to name a different breach after a removal.
            Exec(db, """
                BEGIN;
                CREATE TABLE breach_ids (last INTEGER NOT NULL);
                INSERT INTO breach_ids (last) SELECT COALESCE(MAX(id), 0) FROM breaches;
                PRAGMA user_version = 3;
                COMMIT;
                """);
        }
    }

    /// <summary>Inserts an unpublished breach row and returns its id (ids are never reused).</summary>
    public int Insert(Breach b) => Writing(() => InsertRow(b));

    private int InsertRow(Breach b)
    {
        PublishedBreachSnapshot.Invalidate(_dataDir);
        using var tx = _db.BeginTransaction();
        using (var next = _db.CreateCommand())
        {
            next.Transaction = tx;
            next.CommandText = "UPDATE breach_ids SET last = last + 1";
            next.ExecuteNonQuery();
        }

        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO breaches (id, name, title, domain, breach_date, added_date, modified_date, pwn_count, description,
                logo_path, data_classes, is_verified, is_fabricated, is_sensitive, is_retired, is_spam_list, is_malware,
                is_subscription_free, is_stealer_log, stats_json)
            VALUES ((SELECT last FROM breach_ids), $name, $title, $domain, $bd, $ad, $md, $pwn, $desc,
                $logo, $dc, $v, $f, $s, $r, $spam, $mal, $free, $stealer, $stats)
            RETURNING id
            """;
        Bind(cmd, b);
        var id = Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        tx.Commit();
        CatalogRevision.Bump(_dataDir);
        return id;
    }

    public void Update(Breach b) => Writing(() => UpdateRow(b));

    private int UpdateRow(Breach b)
    {
        PublishedBreachSnapshot.Invalidate(_dataDir);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            UPDATE breaches SET title=$title, domain=$domain, breach_date=$bd, added_date=$ad, modified_date=$md,
                pwn_count=$pwn, description=$desc, logo_path=$logo, data_classes=$dc, is_verified=$v, is_fabricated=$f,
                is_sensitive=$s, is_retired=$r, is_spam_list=$spam, is_malware=$mal, is_subscription_free=$free,
                is_stealer_log=$stealer, stats_json=$stats
            WHERE id=$id
            """;
        Bind(cmd, b);
        cmd.Parameters.AddWithValue("$id", b.Id);
        var rows = cmd.ExecuteNonQuery();
        // A running server re-reads the catalogue when this changes (a sensitive or retired flag must reach it).
        CatalogRevision.Bump(_dataDir);
        return rows;
    }

    private static void Bind(SqliteCommand cmd, Breach b)
    {
        cmd.Parameters.AddWithValue("$name", b.Name);
        cmd.Parameters.AddWithValue("$title", b.Title);
        cmd.Parameters.AddWithValue("$domain", b.Domain);
        cmd.Parameters.AddWithValue("$bd", b.BreachDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$ad", b.AddedDate.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$md", b.ModifiedDate.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$pwn", b.PwnCount);
        cmd.Parameters.AddWithValue("$desc", b.Description);
        cmd.Parameters.AddWithValue("$logo", b.LogoPath);
        cmd.Parameters.AddWithValue("$dc", JsonSerializer.Serialize(b.DataClasses, CatalogJson.Default.IReadOnlyListString));
        cmd.Parameters.AddWithValue("$v", b.IsVerified);
        cmd.Parameters.AddWithValue("$f", b.IsFabricated);
        cmd.Parameters.AddWithValue("$s", b.IsSensitive);
        cmd.Parameters.AddWithValue("$r", b.IsRetired);
        cmd.Parameters.AddWithValue("$spam", b.IsSpamList);
        cmd.Parameters.AddWithValue("$mal", b.IsMalware);
        cmd.Parameters.AddWithValue("$free", b.IsSubscriptionFree);
        cmd.Parameters.AddWithValue("$stealer", b.IsStealerLog);
        cmd.Parameters.AddWithValue("$stats", (object?)b.StatsJson ?? DBNull.Value);
    }

    /// <summary>All rows, published or not.</summary>
    public List<Breach> All()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT * FROM breaches ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<Breach>();
        while (r.Read())
        {
            list.Add(new Breach
            {
                Id = r.GetInt32(r.GetOrdinal("id")),
                Name = r.GetString(r.GetOrdinal("name")),
                Title = r.GetString(r.GetOrdinal("title")),
                Domain = r.GetString(r.GetOrdinal("domain")),
                BreachDate = DateOnly.ParseExact(r.GetString(r.GetOrdinal("breach_date")), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                AddedDate = DateTimeOffset.Parse(r.GetString(r.GetOrdinal("added_date")), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                ModifiedDate = DateTimeOffset.Parse(r.GetString(r.GetOrdinal("modified_date")), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                PwnCount = r.GetInt64(r.GetOrdinal("pwn_count")),
                Description = r.GetString(r.GetOrdinal("description")),
                LogoPath = r.GetString(r.GetOrdinal("logo_path")),
                DataClasses = JsonSerializer.Deserialize(r.GetString(r.GetOrdinal("data_classes")), CatalogJson.Default.IReadOnlyListString) ?? [],
                IsVerified = r.GetBoolean(r.GetOrdinal("is_verified")),
                IsFabricated = r.GetBoolean(r.GetOrdinal("is_fabricated")),
                IsSensitive = r.GetBoolean(r.GetOrdinal("is_sensitive")),
                IsRetired = r.GetBoolean(r.GetOrdinal("is_retired")),
                IsSpamList = r.GetBoolean(r.GetOrdinal("is_spam_list")),
                IsMalware = r.GetBoolean(r.GetOrdinal("is_malware")),
                IsSubscriptionFree = r.GetBoolean(r.GetOrdinal("is_subscription_free")),
                IsStealerLog = r.GetBoolean(r.GetOrdinal("is_stealer_log")),
                StatsJson = r.IsDBNull(r.GetOrdinal("stats_json")) ? null : r.GetString(r.GetOrdinal("stats_json")),
            });
        }

        return list;
    }

    /// <summary>Breaches the manifest lists, oldest breach date first.</summary>
    public List<Breach> Published(IReadOnlyCollection<int> publishedIds)
    {
        var set = new HashSet<int>(publishedIds);
        var list = All().FindAll(b => set.Contains(b.Id));
        list.Sort(static (a, b) => a.BreachDate != b.BreachDate ? a.BreachDate.CompareTo(b.BreachDate) : a.Id.CompareTo(b.Id));
        return list;
    }

    public void SetReport(int id, string reportJson) => Writing(() => SetReportRow(id, reportJson));

    private int SetReportRow(int id, string reportJson)
    {
        PublishedBreachSnapshot.Invalidate(_dataDir);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "UPDATE breaches SET report_json=$r WHERE id=$id";
        cmd.Parameters.AddWithValue("$r", reportJson);
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Rewrites the published-breach snapshot for a manifest generation; call after the catalogue write commits.</summary>
    public void WriteSnapshot(long generation, IReadOnlyCollection<int> publishedIds) =>
        PublishedBreachSnapshot.Write(_dataDir, generation, Published(publishedIds));

    /// <summary>The stored verification report JSON of a breach, or null.</summary>
    public string? GetReport(int id)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT report_json FROM breaches WHERE id=$id";
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteScalar() as string;
    }

    public void Delete(int id) => Writing(() => DeleteRow(id));

    private int DeleteRow(int id)
    {
        PublishedBreachSnapshot.Invalidate(_dataDir);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "DELETE FROM breaches WHERE id=$id";
        cmd.Parameters.AddWithValue("$id", id);
        var rows = cmd.ExecuteNonQuery();
        // The zeroed pages reach catalog.db and the WAL, which may still hold the row as written, is emptied.
        Exec(_db, "PRAGMA wal_checkpoint(TRUNCATE);");
        CatalogRevision.Bump(_dataDir);
        return rows;
    }

    /// <summary>SQLite reports a full disk (SQLITE_FULL) or a failed write (SQLITE_IOERR) without naming the file: the
    /// error becomes the data dir's one line naming catalog.db (exit 4), not an internal error.</summary>
    private T Writing<T>(Func<T> write) => WithPath(_dataDir, write);

    private static T WithPath<T>(string dataDir, Func<T> write)
    {
        try
        {
            return write();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteFull or SqliteIoError)
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"{Path.Combine(dataDir, FileName)}: {e.Message}", e);
        }
    }

    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    /// <summary>Removes rows left by ingests that never published (killed or failed).</summary>
    public int DeleteUnpublished(IReadOnlyCollection<int> publishedIds)
    {
        var n = 0;
        var set = new HashSet<int>(publishedIds);
        foreach (var b in All())
        {
            if (!set.Contains(b.Id))
            {
                Delete(b.Id);
                n++;
            }
        }

        return n;
    }

    /// <summary>SQLite's own integrity check; empty when healthy.</summary>
    public List<string> Verify()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        using var r = cmd.ExecuteReader();
        var problems = new List<string>();
        while (r.Read())
        {
            var s = r.GetString(0);
            if (s != "ok")
            {
                problems.Add($"catalog.db: {s}");
            }
        }

        return problems;
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
