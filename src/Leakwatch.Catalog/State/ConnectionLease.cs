using System.Data.Common;

namespace Leakwatch.Catalog.State;

/// <summary>A connection for one operation: the embedded store lends its one connection (kept open) to one thread
/// at a time (<paramref name="gate"/> is held until dispose), PostgreSQL rents one from Npgsql's pool and returns it
/// on dispose.</summary>
public readonly struct ConnectionLease : IDisposable
{
    private readonly bool _owned;
    private readonly object? _gate;

    public ConnectionLease(DbConnection connection, bool owned, object? gate = null)
    {
        Connection = connection;
        _owned = owned;
        _gate = gate;
        if (gate is not null)
        {
            Monitor.Enter(gate);
        }
    }

    public DbConnection Connection { get; }

    public void Dispose()
    {
        if (_owned)
        {
            Connection.Dispose();
        }

        if (_gate is not null)
        {
            Monitor.Exit(_gate);
        }
    }
}
