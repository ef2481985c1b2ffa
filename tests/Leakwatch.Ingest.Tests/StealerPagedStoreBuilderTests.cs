using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Leakwatch.Index.Stealer;
using Leakwatch.Ingest.Stealer;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// A new generation of the paged stores, page by page in plaintext, against a naive model of the layout: per tag,
/// lines in order of the key's hash (XxHash3 of its UTF-16), then ordinal key; by email domain, each line the alias
/// and its sites (ordinal, distinct); pages cut before the line that would pass 64 KiB. The logins mix one email on
/// several sites, two workers, non-ASCII addresses and enough lines to fill several pages.
/// </summary>
public sealed class StealerPagedStoreBuilderTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NewDomains_PagesMatchTheNaiveLayout(bool byEmailDomain)
    {
        var kind = byEmailDomain ? StealerPageKind.EmailDomain : StealerPageKind.Website;
        var dir = Path.Combine(Path.GetTempPath(), "lw-paged-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var keys = KeyFile.Ephemeral();
            var sites = new StealerDomainTable();
            var logins = new[] { new StealerLogins(), new StealerLogins() };
            var random = new Random(5);
            string[] domains = ["mail.example", "bücher.example", "z.test"];
            string[] websites = ["a.com", "b.org", "ü.net", "c.com"];
            var all = new List<(string Email, string Site)>();
            for (var i = 0; i < 24000; i++)
            {
                var alias = random.Next(4) == 0 ? "shared" + random.Next(40) : (random.Next(7) == 0 ? "jürgen" : "user") + i;
                var email = $"{alias}@{domains[random.Next(domains.Length)]}";
                var site = websites[random.Next(websites.Length)];
                logins[i % 2].Add(email, sites.IdOf(site));
                all.Add((email, site));
            }

            var tags = new ulong[] { 11, 22, 33 };
            var buckets = new int[2][];
            for (var w = 0; w < 2; w++)
            {
                buckets[w] = new int[logins[w].Count];
                for (var i = 0; i < logins[w].Count; i++)
                {
                    var email = logins[w].Email(i).ToString();
                    buckets[w][i] = kind == StealerPageKind.EmailDomain
                        ? Array.IndexOf(domains, email[(email.IndexOf('@') + 1)..])
                        : logins[w].Site(i) % 3;
                }
            }

            var records = StealerTagGroups.Order(tags, buckets, [logins[0].Count, logins[1].Count]);
            var (rankOfId, utf8ByRank) = sites.Ranks();
            var path = Path.Combine(dir, "store.lws");
            new StealerPagedStoreBuilder(kind, logins, sites, rankOfId, utf8ByRank).Write(path, null, records, keys, CancellationToken.None);

            using var file = StealerSiteFile.Open(path);
            using var sealer = new StealerSiteSealer(new StealerSealSession(keys, StealerPagedStoreBuilder.Context(kind)));
            for (var t = 0; t < tags.Length; t++)
            {
                var pages = StealerPageKeys.ReadPages(file, tags[t], (k, b) => sealer.OpenBytes(k, b));
                Assert.Equal(Expected(kind, all, t, sites, domains), pages.Select(p => Encoding.UTF8.GetString(p)).ToList());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static List<string> Expected(StealerPageKind kind, List<(string Email, string Site)> all, int tag, StealerDomainTable sites, string[] domains)
    {
        var lines = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (email, site) in all)
        {
            var at = email.IndexOf('@');
            var inTag = kind == StealerPageKind.EmailDomain ? Array.IndexOf(domains, email[(at + 1)..]) == tag : (int)(sites.IdOf(site) % 3) == tag;
            if (!inTag)
            {
                continue;
            }

            var key = kind == StealerPageKind.EmailDomain ? email[..at] : email;
            if (!lines.TryGetValue(key, out var set))
            {
                lines[key] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            if (kind == StealerPageKind.EmailDomain)
            {
                set.Add(site);
            }
        }

        var ordered = lines.OrderBy(l => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(l.Key.AsSpan()))).ThenBy(l => l.Key, StringComparer.Ordinal);
        var pages = new List<string>();
        var page = new StringBuilder();
        foreach (var (key, set) in ordered)
        {
            var line = string.Concat(key, string.Concat(set.Select(s => "\t" + s)), "\n");
            if (page.Length > 0 && Encoding.UTF8.GetByteCount(page.ToString()) + Encoding.UTF8.GetByteCount(line) > StealerPagedStoreBuilder.PageBytes)
            {
                pages.Add(page.ToString());
                page.Clear();
            }

            page.Append(line);
        }

        if (page.Length > 0)
        {
            pages.Add(page.ToString());
        }

        return pages;
    }
}
