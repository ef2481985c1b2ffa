using System.Data.Common;

namespace Leakwatch.Catalog.State;

/// <summary>A connection for one operation: the embedded store lends its one connection (kept open), PostgreSQL
/// rents one from Npgsql's pool and returns it on dispose.</summary>
public readonly struct ConnectionLease : IDisposable
{
    private readonly bool _owned;

    public ConnectionLease(DbConnection connection, bool owned)
    {
        Connection = connection;
        _owned = owned;
    }

    public DbConnection Connection { get; }

    public void Dispose()
    {
        if (_owned)
        {
            Connection.Dispose();
        }
    }
}
