using Leakwatch.Catalog.State;
using Leakwatch.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>A catalog.db written before DbUp (PRAGMA user_version 1..3, api_keys created on demand) upgrades in
/// place with nothing lost: the scripts it already has are marked applied, the rest run.</summary>
public sealed class SqliteAdoptionTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("lw-adopt-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private string DbPath => SqliteStateStore.PathIn(_dataDir);

    /// <summary>The DDL Leakwatch wrote before this change, version by version, with rows in it.</summary>
    private void WriteOldCatalogue(int version, bool withKeys)
    {
        using var db = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        db.Open();
        Exec(db, """
            CREATE TABLE breaches (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, title TEXT NOT NULL,
                domain TEXT NOT NULL DEFAULT '', breach_date TEXT NOT NULL, added_date TEXT NOT NULL, modified_date TEXT NOT NULL,
                pwn_count INTEGER NOT NULL DEFAULT 0, description TEXT NOT NULL DEFAULT '', logo_path TEXT NOT NULL DEFAULT '',
                data_classes TEXT NOT NULL DEFAULT '[]', is_verified INTEGER NOT NULL DEFAULT 1, is_fabricated INTEGER NOT NULL DEFAULT 0,
                is_sensitive INTEGER NOT NULL DEFAULT 0, is_retired INTEGER NOT NULL DEFAULT 0, is_spam_list INTEGER NOT NULL DEFAULT 0,
                is_malware INTEGER NOT NULL DEFAULT 0, is_subscription_free INTEGER NOT NULL DEFAULT 0, is_stealer_log INTEGER NOT NULL DEFAULT 0,
                stats_json TEXT);
            INSERT INTO breaches (id, name, title, breach_date, added_date, modified_date, pwn_count, data_classes, is_sensitive)
                VALUES (4, 'Old', 'Old leak', '2019-03-04', '2024-01-02T03:04:05.0000000Z', '2024-01-02T03:04:05.0000000Z', 42, '["Email addresses"]', 1);
            PRAGMA user_version = 1;
            """);
        if (version >= 2)
        {
            Exec(db, "ALTER TABLE breaches ADD COLUMN report_json TEXT; UPDATE breaches SET report_json = '{\"rows\":42}'; PRAGMA user_version = 2;");
        }

        if (version >= 3)
        {
            // A counter past the rows: breach 7 was removed once, and 5..7 must never come back.
            Exec(db, "CREATE TABLE breach_ids (last INTEGER NOT NULL); INSERT INTO breach_ids VALUES (7); PRAGMA user_version = 3;");
        }

        if (withKeys)
        {
            Exec(db, """
                CREATE TABLE IF NOT EXISTS api_keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', key_hash BLOB NOT NULL UNIQUE,
                    rpm INTEGER NOT NULL, created TEXT NOT NULL, revoked TEXT);
                INSERT INTO api_keys VALUES (1, 'legacy', X'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 25,
                    '2024-02-03T04:05:06.0000000Z', '2024-03-04T05:06:07.0000000Z');
                """);
        }
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public void Open_APreDbUpCatalogue_UpgradesInPlace_WithNothingLost(int version, bool withKeys)
    {
        WriteOldCatalogue(version, withKeys);

        using var store = SqliteStateStore.Open(_dataDir);

        var b = Assert.Single(store.AllBreaches());
        Assert.Equal((4, "Old", 42L, true), (b.Id, b.Name, b.PwnCount, b.IsSensitive));
        Assert.Equal(new DateOnly(2019, 3, 4), b.BreachDate);
        Assert.Equal(version >= 2 ? "{\"rows\":42}" : null, store.GetReport(4));
        Assert.Equal(version >= 3 ? 7 : 4, store.LastBreachId());
        Assert.Equal(version >= 3 ? 8 : 5, store.InsertBreach(StateStoreContract.Sample("New")));
        if (withKeys)
        {
            var k = Assert.Single(store.Keys(), k => k.Name == "legacy");
            Assert.Equal((1, 25, true), (k.Id, k.Rpm, k.IsRevoked));
            Assert.Equal(Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"), k.Hash);
        }

        Assert.True(store.Schema().IsCurrent);
        Assert.Empty(store.Verify());
        using var db = new SqliteConnection($"Data Source={DbPath};Pooling=False;Mode=ReadOnly");
        db.Open();
        Assert.Equal(StateSchema.LatestVersion(StateEngine.Sqlite), StateSchema.UserVersion(db));
    }

    [Fact]
    public void OpenReadOnly_AnUnmigratedV3Catalogue_ReadsRowsAndNoKeys_WithoutChangingIt()
    {
        WriteOldCatalogue(3, withKeys: false);
        var before = File.ReadAllBytes(DbPath);

        using (var store = SqliteStateStore.OpenReadOnly(_dataDir)!)
        {
            Assert.Equal("Old", Assert.Single(store.AllBreaches()).Name);
            Assert.Empty(store.Keys());
            Assert.Contains("0004_api_keys.sql", store.Schema().Pending);
        }

        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void Open_ACatalogueNewerThanThisBuild_IsRefusedWithOneLine()
    {
        WriteOldCatalogue(3, withKeys: false);
        using (var db = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            db.Open();
            Exec(db, "PRAGMA user_version = 99;");
        }

        var e = Assert.Throws<LeakwatchException>(() => SqliteStateStore.Open(_dataDir));
        Assert.Equal(ErrorKind.DataDir, e.Kind);
        Assert.Contains("newer than this Leakwatch", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<LeakwatchException>(() => SqliteStateStore.OpenReadOnly(_dataDir));
    }

    [Fact]
    public void Open_AJournalNamingAnUnknownMigration_IsRefused()
    {
        using (SqliteStateStore.Open(_dataDir))
        {
        }

        using (var db = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            db.Open();
            Exec(db, "INSERT INTO schema_versions (ScriptName, Applied) VALUES ('0006_from_the_future.sql', '2030-01-01');");
        }

        var e = Assert.Throws<LeakwatchException>(() => SqliteStateStore.Open(_dataDir));
        Assert.Contains("0006_from_the_future.sql", e.Message, StringComparison.Ordinal);
    }
}
