using Leakwatch.Core.Errors;
using Npgsql;

namespace Leakwatch.Catalog.State;

/// <summary>
/// The parsed <c>--state URL</c>: absent (or <c>sqlite</c>) is <c>catalog.db</c> in the data dir;
/// <c>postgresql://user[:password]@host[:port]/database[?param=value…]</c> (or <c>postgres://</c>) is a shared
/// PostgreSQL database. <see cref="Display"/> is the form safe to print: it never carries the password.
/// </summary>
public sealed class StateLocation
{
    public const string OptionName = "--state";
    private const int DefaultPort = 5432;

    /// <summary><c>catalog.db</c> in the data dir.</summary>
    public static readonly StateLocation Embedded = new(StateEngine.Sqlite, null, "sqlite", "", 0);

    private StateLocation(StateEngine engine, string? connectionString, string display, string host, int port)
    {
        Engine = engine;
        ConnectionString = connectionString;
        Display = display;
        Host = host;
        Port = port;
    }

    public StateEngine Engine { get; }

    /// <summary>The Npgsql connection string (with the password, if any): never print it.</summary>
    public string? ConnectionString { get; }

    /// <summary>The URL without its password, for messages and logs.</summary>
    public string Display { get; }

    public string Host { get; }

    public int Port { get; }

    /// <summary><c>host:port</c>, as messages about an unreachable server name it.</summary>
    public string Endpoint => $"{Host}:{Port}";

    public bool IsEmbedded => Engine == StateEngine.Sqlite;

    public override string ToString() => Display;

    /// <summary>Parses a <c>--state</c> value; null or empty is <see cref="Embedded"/>. A usage error names
    /// <c>--state</c> and never echoes a password.</summary>
    public static StateLocation Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || string.Equals(url, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return Embedded;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            throw Usage($"'{Redact(url)}' is not a state URL; use postgresql://user[:password]@host:port/database, or leave it out for catalog.db in the data dir");
        }

        var (user, password) = UserInfo(uri);
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (uri.Host.Length == 0 || user.Length == 0 || database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw Usage($"'{Redact(url)}' needs a user, a host and a database: postgresql://user[:password]@host:port/database");
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = port,
            Username = user,
            Database = database,
            // A command fails fast when the server is gone, rather than after Npgsql's default 15 s.
            Timeout = 5,
            ApplicationName = "leakwatch",
        };
        if (password is not null)
        {
            builder.Password = password;
        }

        ApplyQuery(builder, uri.Query, url);
        var display = $"postgresql://{Uri.EscapeDataString(user)}@{uri.Authority}/{Uri.EscapeDataString(database)}";
        return new StateLocation(StateEngine.Postgres, builder.ConnectionString, display, builder.Host!, port);
    }

    private static (string User, string? Password) UserInfo(Uri uri)
    {
        var info = uri.UserInfo;
        var colon = info.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (Uri.UnescapeDataString(info), null)
            : (Uri.UnescapeDataString(info[..colon]), Uri.UnescapeDataString(info[(colon + 1)..]));
    }

    /// <summary>Query parameters are Npgsql connection-string keywords (<c>sslmode=require</c>, <c>timeout=10</c>,
    /// <c>connect_timeout</c> as libpq spells it).</summary>
    private static void ApplyQuery(NpgsqlConnectionStringBuilder builder, string query, string url)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).Replace('_', ' ');
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (string.Equals(key, "connect timeout", StringComparison.OrdinalIgnoreCase))
            {
                key = "Timeout";
            }

            if (string.Equals(key, "password", StringComparison.OrdinalIgnoreCase))
            {
                throw Usage($"'{Redact(url)}': put the password in the user part (user:password@host), not the query");
            }

            try
            {
                builder[key] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
            {
                throw Usage($"'{Redact(url)}': unknown or bad parameter '{key}'");
            }
        }
    }

    /// <summary>The URL with any password replaced by <c>***</c>.</summary>
    public static string Redact(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return url;
        }

        var colon = url.IndexOf(':', scheme + 3);
        return colon < 0 || colon > at ? url : string.Concat(url.AsSpan(0, colon + 1), "***", url.AsSpan(at));
    }

    private static LeakwatchException Usage(string message) => new(ErrorKind.Usage, $"{OptionName}: {message}");
}
