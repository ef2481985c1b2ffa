namespace Leakwatch.Index.Stealer;

/// <summary>The entry keys of the paged stealer-log stores (by email domain, by website domain), held in
/// <see cref="StealerSiteFile"/> containers: a domain's 64-bit keyed tag, then a 16-bit page number, so a domain's
/// pages sort together and in order, and a domain with millions of logins is many small blobs.</summary>
public static class StealerPageKeys
{
    public const int MaxPages = 1 << 16;

    public static UInt128 Of(ulong tag, int page) => new(tag, (ulong)page << 48);

    public static ulong TagOf(UInt128 key) => (ulong)(key >> 64);

    /// <summary>The plaintext of every page of <paramref name="tag"/>, in page order, opened by <paramref name="open"/>;
    /// empty when the store has none.</summary>
    public static List<byte[]> ReadPages(StealerSiteFile file, ulong tag, Func<UInt128, byte[], byte[]> open)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(open);
        var pages = new List<byte[]>();
        for (var page = 0; page < MaxPages; page++)
        {
            var key = Of(tag, page);
            if (file.Find(key) is not { } blob)
            {
                break;
            }

            pages.Add(open(key, blob));
        }

        return pages;
    }
}
