namespace Leakwatch.Templates;

/// <summary>The server's pages that the main navigation links to; the current one is marked for assistive technology.</summary>
public enum SitePage
{
    /// <summary>The page for people at <c>/</c>.</summary>
    Check,

    /// <summary>The breach catalogue at <c>/breaches</c>.</summary>
    Breaches,

    /// <summary>A page reached from a mailed link (subscription confirmed, unsubscribe, opt-out): in no navigation.</summary>
    Notice,
}
