using System.Text;

namespace Leakwatch.Reading;

/// <summary>Recognises a SQL dump from its first bytes: a mysqldump or pg_dump banner, or a first statement
/// (after comments) that dumps start with.</summary>
internal static class SqlSniffer
{
    private static readonly byte[][] Banners = ["-- MySQL dump"u8.ToArray(), "-- MariaDB dump"u8.ToArray(),
        "-- PostgreSQL database dump"u8.ToArray()];

    private static readonly byte[][] FirstStatements =
    [
        "CREATE TABLE"u8.ToArray(), "INSERT INTO"u8.ToArray(), "REPLACE INTO"u8.ToArray(), "COPY "u8.ToArray(),
        "SET "u8.ToArray(), "DROP TABLE"u8.ToArray(), "LOCK TABLES"u8.ToArray(), "USE "u8.ToArray(),
        "START TRANSACTION"u8.ToArray(), "BEGIN;"u8.ToArray(), "SELECT pg_catalog."u8.ToArray(),
        "ALTER TABLE"u8.ToArray(), "CREATE DATABASE"u8.ToArray(), "CREATE SCHEMA"u8.ToArray(),
    ];

    public static bool LooksLikeSql(ReadOnlySpan<byte> sample)
    {
        var pos = 0;
        var text = sample.TrimStart(" \t\r\n"u8);
        foreach (var banner in Banners)
        {
            if (text.StartsWith(banner))
            {
                return true;
            }
        }

        SqlText.SkipBlank(sample, ref pos);
        var rest = sample[pos..];
        foreach (var statement in FirstStatements)
        {
            if (rest.Length >= statement.Length && Ascii.EqualsIgnoreCase(rest[..statement.Length], statement))
            {
                return true;
            }
        }

        return false;
    }
}
