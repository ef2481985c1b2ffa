namespace Leakwatch.Catalog.State;

/// <summary>Where breach rows, API keys and the state revision live.</summary>
public enum StateEngine
{
    /// <summary><c>catalog.db</c> (SQLite) in the data dir: the embedded default, for one machine.</summary>
    Sqlite,
    /// <summary>A PostgreSQL database shared by a writer and any number of replicas.</summary>
    Postgres,
}
