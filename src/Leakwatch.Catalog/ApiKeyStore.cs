using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Leakwatch.Catalog;

/// <summary>
/// HIBP-style API keys (32 hex chars) in the <c>api_keys</c> table of <c>catalog.db</c>. A key is random 128 bits,
/// so an unsalted SHA-256 of it is enough: it cannot be brute-forced, and the hash lets a server find the key in one
/// dictionary probe. The table is created on demand; <see cref="BreachCatalog"/>'s schema version is not touched.
/// </summary>
public sealed class ApiKeyStore : IDisposable
{
    public const int KeyLength = 32;
    public const int DefaultRpm = 10;
    private readonly SqliteConnection _db;

    private ApiKeyStore(SqliteConnection db) => _db = db;

    /// <summary>Opens for writing, creating <c>catalog.db</c> (through <see cref="BreachCatalog"/>) and the table if needed.</summary>
    public static ApiKeyStore Open(string dataDir)
    {
        // Let the catalogue create and migrate the file itself, so its own version check stays meaningful.
        BreachCatalog.Open(dataDir).Dispose();
        var path = Path.Combine(dataDir, BreachCatalog.FileName);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        Exec(db, """
            PRAGMA busy_timeout=5000;
            CREATE TABLE IF NOT EXISTS api_keys (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL DEFAULT '',
                key_hash BLOB NOT NULL UNIQUE,
                rpm INTEGER NOT NULL,
                created TEXT NOT NULL,
                revoked TEXT
            );
            """);
        return new ApiKeyStore(db);
    }

    /// <summary>Reads all keys without creating anything; empty when there is no catalogue or no key table yet.</summary>
    public static List<ApiKey> ReadAll(string dataDir)
    {
        var path = Path.Combine(dataDir, BreachCatalog.FileName);
        if (!File.Exists(path))
        {
            return [];
        }

        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        db.Open();
        Exec(db, "PRAGMA busy_timeout=5000;");
        using (var check = db.CreateCommand())
        {
            check.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='api_keys'";
            if (Convert.ToInt32(check.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                return [];
            }
        }

        return ReadAll(db);
    }

    /// <summary>Creates a key and returns it with its plain text, which is shown once and never stored.</summary>
    public (ApiKey Key, string Secret) Create(string name, int rpm, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rpm, 1);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyLength / 2));
        var hash = HashKey(secret);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            INSERT INTO api_keys (id, name, key_hash, rpm, created)
            VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM api_keys), $name, $hash, $rpm, $created)
            RETURNING id
            """;
        cmd.Parameters.AddWithValue("$name", name);
        cmd.Parameters.AddWithValue("$hash", hash);
        cmd.Parameters.AddWithValue("$rpm", rpm);
        cmd.Parameters.AddWithValue("$created", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        var id = Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        return (new ApiKey { Id = id, Name = name, Rpm = rpm, Created = now, Hash = hash }, secret);
    }

    public List<ApiKey> List() => ReadAll(_db);

    /// <summary>Marks a key revoked; false when there is no such key. Revoking twice keeps the first time.</summary>
    public bool Revoke(int id, DateTimeOffset now)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "UPDATE api_keys SET revoked = COALESCE(revoked, $now) WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$now", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>SHA-256 of the key text lowercased.</summary>
    /// <exception cref="ArgumentException">The text is not 32 hex characters.</exception>
    public static byte[] HashKey(ReadOnlySpan<char> key)
    {
        var hash = new byte[32];
        if (!TryHashKey(key, hash))
        {
            throw new ArgumentException("an API key is 32 hexadecimal characters", nameof(key));
        }

        return hash;
    }

    /// <summary>Allocation-free form of <see cref="HashKey"/> for the request path; false when not 32 hex characters.</summary>
    public static bool TryHashKey(ReadOnlySpan<char> key, Span<byte> hash32)
    {
        if (key.Length != KeyLength)
        {
            return false;
        }

        Span<byte> ascii = stackalloc byte[KeyLength];
        for (var i = 0; i < KeyLength; i++)
        {
            var c = key[i];
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }

            ascii[i] = (byte)char.ToLowerInvariant(c);
        }

        SHA256.HashData(ascii, hash32);
        return true;
    }

    private static List<ApiKey> ReadAll(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id, name, key_hash, rpm, created, revoked FROM api_keys ORDER BY id";
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
                Created = DateTimeOffset.Parse(r.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                Revoked = r.IsDBNull(5) ? null : DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            });
        }

        return list;
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
