using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Leakwatch.Ingest.Domains;

namespace Leakwatch.Ingest.Tests;

/// <summary>
/// The buffer sort (a radix sort by domain rank and alias prefix bytes, finished by comparison) against a plain
/// comparison sort with the same order: random buffers whose domains include two under one tag and one domain with
/// two ids (as after the collector's cache is cleared), and whose aliases share long prefixes, are shorter than,
/// exactly or longer than the 16 prefix bytes, are prefixes of each other, or repeat. And the buffer past its budget.
/// </summary>
public sealed class DomainAliasSortTests
{
    [Property(MaxTest = 60)]
    public Property Sort_OrdersAsTheComparison_AndKeepsEveryEntry() =>
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            using var buffer = new DomainAliasBuffer(1L << 20);
            buffer.Reset(1);
            var domains = new List<DomainInfo>();
            for (var d = 0; d < random.Next(1, 40); d++)
            {
                domains.Add(new DomainInfo((ulong)random.NextInt64(), Encoding.UTF8.GetBytes($"d{d}.example")));
            }

            // Two domains under one tag (compared by their bytes), and one domain under two infos (one rank).
            domains.Add(new DomainInfo(domains[0].Tag, Encoding.UTF8.GetBytes("another.example")));
            domains.Add(new DomainInfo(domains[1].Tag, domains[1].Utf8));
            string[] stems = ["", "a", "firstname.lastname", "firstname.lastnam", "sixteen.bytes.ab", "sixteen.bytes.a", "zz", "\u00fc", "x.y"];
            var count = random.Next(0, 3000);
            for (var i = 0; i < count; i++)
            {
                // Most entries on the first domain, as on a big mail provider.
                var domain = random.Next(3) == 0 ? domains[random.Next(domains.Count)] : domains[0];
                var stem = stems[random.Next(stems.Length)];
                var alias = random.Next(3) == 0 ? stem : stem + random.Next(0, 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (alias.Length == 0)
                {
                    alias = "q";
                }

                Assert.True(buffer.Add(buffer.DomainId(domain), alias));
            }

            var expected = Snapshot(buffer);
            expected.Sort((a, b) => DomainAliasSort.Compare(a, b, buffer));
            buffer.SortInPlace();
            var sorted = Snapshot(buffer);
            for (var i = 1; i < sorted.Count; i++)
            {
                Assert.True(DomainAliasSort.Compare(sorted[i - 1], sorted[i], buffer) <= 0, $"entries {i - 1} and {i} out of order");
            }

            // The same entries: equal keys may come in either order, so compare as (order key, offset) multisets.
            Assert.Equal(Keys(expected, buffer), Keys(sorted, buffer));
            return true;
        });

    /// <summary>A buffer filled far past its budget (the collector would have handed it off) grows its arena and
    /// entries and keeps every alias readable where its entry points.</summary>
    [Fact]
    public void Buffer_FilledPastItsBudget_GrowsAndKeepsEveryAlias()
    {
        using var buffer = new DomainAliasBuffer(16);
        buffer.Reset(1);
        var domain = new DomainInfo(42, "grow.example"u8.ToArray());
        var aliases = Enumerable.Range(0, 500).Select(i => new string((char)('a' + (i % 26)), 1 + (i % 250)) + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var alias in aliases)
        {
            Assert.True(buffer.Add(buffer.DomainId(domain), alias));
        }

        Assert.Equal(aliases.Count, buffer.Count);
        Assert.True(buffer.Footprint > 16 * 1000, $"footprint {buffer.Footprint}");
        for (var i = 0; i < aliases.Count; i++)
        {
            Assert.Equal(aliases[i], Encoding.UTF8.GetString(buffer.Alias(buffer.Entry(i).Offset)));
        }
    }

    private static List<DomainAliasEntry> Snapshot(DomainAliasBuffer buffer)
    {
        var list = new List<DomainAliasEntry>(buffer.Count);
        for (var i = 0; i < buffer.Count; i++)
        {
            list.Add(buffer.Entry(i));
        }

        return list;
    }

    private static List<string> Keys(List<DomainAliasEntry> entries, DomainAliasBuffer buffer) =>
        entries.Select(e => $"{buffer.DomainTag(e.Domain):x16}/{Encoding.UTF8.GetString(buffer.DomainBytes(e.Domain))}/{Encoding.UTF8.GetString(buffer.Alias(e.Offset))}/{e.Offset}")
            .Order(StringComparer.Ordinal).ToList();
}
