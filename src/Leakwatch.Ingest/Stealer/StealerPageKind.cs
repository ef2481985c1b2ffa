namespace Leakwatch.Ingest.Stealer;

/// <summary>The two paged stealer-log stores: what a page's lines hold.</summary>
internal enum StealerPageKind
{
    /// <summary>Per email domain: lines <c>alias\tsite\tsite…</c>.</summary>
    EmailDomain,

    /// <summary>Per website domain: lines <c>email</c>.</summary>
    Website,
}
