using System.Data;
using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Sqlite.Helpers;
using Leakwatch.Core.Errors;

namespace Leakwatch.Catalog.State;

/// <summary>
/// The state schema's versioned migrations, run by DbUp: one numbered script per change and engine, embedded from
/// <c>Migrations/Sqlite/NNNN_name.sql</c> and <c>Migrations/Postgres/NNNN_name.sql</c> (the same numbers and names
/// for both), journalled in <c>schema_versions</c>. Adding a table is one script per engine. A SQLite catalogue
/// from before DbUp (PRAGMA user_version 1..3) is adopted: the scripts it already has are marked applied, the rest
/// run. A store whose journal names a script this build does not have is newer than the binary and is refused.
/// </summary>
public static class StateSchema
{
    public const string JournalTable = "schema_versions";

    /// <summary>The scripts of <paramref name="engine"/>, in order; their file names are the journal's entries.</summary>
    public static IReadOnlyList<SqlScript> Scripts(StateEngine engine)
    {
        var prefix = $"Migrations/{engine}/";
        var assembly = typeof(StateSchema).Assembly;
        var names = Array.FindAll(assembly.GetManifestResourceNames(), n => n.StartsWith(prefix, StringComparison.Ordinal));
        Array.Sort(names, StringComparer.Ordinal);
        var scripts = new List<SqlScript>(names.Length);
        foreach (var name in names)
        {
            scripts.Add(new SqlScript(name[prefix.Length..], Read(assembly, name)));
        }

        return scripts;
    }

    /// <summary>How many scripts this build knows; SQLite scripts also set PRAGMA user_version to their number.</summary>
    public static int LatestVersion(StateEngine engine) => Scripts(engine).Count;

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Brings an open SQLite catalogue up to date (adopting a pre-DbUp one first).</summary>
    public static void UpgradeSqlite(IDbConnection db, string displayName)
    {
        var engine = DeployChanges.To.SqliteDatabase(new SharedConnection(db))
            .WithScripts(Scripts(StateEngine.Sqlite))
            .JournalToSqliteTable(JournalTable)
            .WithTransactionPerScript()
            .WithVariablesDisabled()
            .LogToNowhere()
            .Build();
        if (!HasTable(db, JournalTable) && HasTable(db, "breaches"))
        {
            var version = UserVersion(db);
            if (version is >= 1 and <= 3)
            {
                engine.MarkAsExecuted(Scripts(StateEngine.Sqlite)[version - 1].Name);
            }
        }

        Run(engine, displayName);
    }

    /// <summary>Brings a PostgreSQL database up to date.</summary>
    public static void UpgradePostgres(string connectionString, string displayName)
    {
        var engine = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(Scripts(StateEngine.Postgres))
            .JournalToPostgresqlTable("public", JournalTable)
            .WithTransactionPerScript()
            .WithVariablesDisabled()
            .LogToNowhere()
            .Build();
        Run(engine, displayName);
    }

    private static void Run(UpgradeEngine engine, string displayName)
    {
        var unknown = engine.GetExecutedButNotDiscoveredScripts();
        if (unknown.Count > 0)
        {
            throw new LeakwatchException(ErrorKind.DataDir,
                $"{displayName}: state schema has migration {unknown[^1]}, newer than this Leakwatch knows; upgrade Leakwatch");
        }

        if (engine.GetScriptsToExecute().Count == 0)
        {
            return;
        }

        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            // DbUp reports the failure as a result; the original exception keeps its kind (a full disk, a lost server).
            throw result.Error;
        }
    }

    /// <summary>Migrations this build has and the store has not applied, and applied ones this build does not know.</summary>
    public static List<string> Problems(SchemaStatus probe, string displayName)
    {
        var problems = new List<string>();
        foreach (var s in probe.Pending)
        {
            problems.Add($"{displayName}: migration {s} not applied (any write command applies it)");
        }

        foreach (var s in probe.Unknown)
        {
            problems.Add($"{displayName}: migration {s} is newer than this Leakwatch");
        }

        return problems;
    }

    /// <summary>What the journal says, without changing anything.</summary>
    public static SchemaStatus ProbeSqlite(IDbConnection db)
    {
        var engine = DeployChanges.To.SqliteDatabase(new SharedConnection(db))
            .WithScripts(Scripts(StateEngine.Sqlite)).JournalToSqliteTable(JournalTable).LogToNowhere().Build();
        return Probe(engine);
    }

    public static SchemaStatus ProbePostgres(string connectionString)
    {
        var engine = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(Scripts(StateEngine.Postgres)).JournalToPostgresqlTable("public", JournalTable).LogToNowhere().Build();
        return Probe(engine);
    }

    private static SchemaStatus Probe(UpgradeEngine engine)
    {
        var pending = new List<string>();
        foreach (var s in engine.GetScriptsToExecute())
        {
            pending.Add(s.Name);
        }

        return new SchemaStatus(pending, engine.GetExecutedButNotDiscoveredScripts());
    }

    public static bool HasTable(IDbConnection db, string table)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='{table}'";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public static int UserVersion(IDbConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
