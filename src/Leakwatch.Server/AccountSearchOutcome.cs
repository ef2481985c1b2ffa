namespace Leakwatch.Server;

/// <summary>How an account search ended, before it is written out as HTTP or as an MCP tool result.</summary>
internal enum AccountSearchOutcome
{
    /// <summary>Looked up: the breaches (possibly none) are in <see cref="AccountSearch.Found"/>, not yet filtered.</summary>
    Answered,

    /// <summary>Not an email address or phone number (HTTP 400).</summary>
    Invalid,

    /// <summary>The all-zero test key asked for a real account (HTTP 401, as HIBP).</summary>
    TestKeyRefused,

    /// <summary>The enumeration detector refused it (HTTP 429).</summary>
    Blocked,

    /// <summary>With <c>--redis</c>, the shared detector could not be reached (HTTP 503).</summary>
    Unavailable,
}
