using Leakwatch.Catalog;

namespace Leakwatch.Server;

/// <summary>Who is calling: a stored key, the HIBP test key, or nobody (anonymous endpoints).</summary>
internal sealed class ApiClient
{
    public static readonly ApiClient TestKey = new(null);

    public ApiClient(ApiKey? key) => Key = key;

    /// <summary>Null for the all-zero test key.</summary>
    public ApiKey? Key { get; }

    public bool IsTestKey => Key is null;
}
