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
/// exactly or longer than the 24 bytes an entry holds (in chars or only in UTF-8 bytes), end in NUL bytes the entry's
/// padding also holds, are prefixes of each other, or repeat. The order is checked against the plain byte order of
/// (tag, domain, alias) built from the strings, not against the sort's own comparison. And the buffer past its budget.
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
            string[] stems = ["", "a", "a\0", "a\0\0", "firstname.lastname", "firstname.lastnam", "sixteen.bytes.ab", "sixteen.bytes.a",
                "twenty.four.bytes.abcdef", "twenty.four.bytes.abcde", "twenty.four.bytes.abcdefg", "twenty.four.bytes.abcde\0\0",
                new string('\u00fc', 13), "zz", "\u00fc", "x.y"];
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
            buffer.SortInPlace();
            var sorted = Snapshot(buffer);
            for (var i = 1; i < sorted.Count; i++)
            {
                Assert.True(ReferenceCompare(sorted[i - 1], sorted[i], buffer) <= 0, $"entries {i - 1} and {i} out of order");
                Assert.Equal(Math.Sign(ReferenceCompare(sorted[i - 1], sorted[i], buffer)), Math.Sign(DomainAliasSort.Compare(sorted[i - 1], sorted[i], buffer)));
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
            Assert.Equal(aliases[i], Encoding.UTF8.GetString(buffer.Alias(buffer.Entry(i), new byte[DomainAliasEntry.InlineBytes])));
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

    /// <summary>The run order from first principles: tag, then domain bytes, then alias bytes.</summary>
    private static int ReferenceCompare(DomainAliasEntry a, DomainAliasEntry b, DomainAliasBuffer buffer)
    {
        var c = buffer.DomainTag(a.Domain).CompareTo(buffer.DomainTag(b.Domain));
        if (c == 0)
        {
            c = buffer.DomainBytes(a.Domain).SequenceCompareTo(buffer.DomainBytes(b.Domain));
        }

        return c != 0 ? c : AliasOf(a, buffer).AsSpan().SequenceCompareTo(AliasOf(b, buffer));
    }

    private static byte[] AliasOf(DomainAliasEntry e, DomainAliasBuffer buffer) =>
        buffer.Alias(e, new byte[DomainAliasEntry.InlineBytes]).ToArray();

    private static List<string> Keys(List<DomainAliasEntry> entries, DomainAliasBuffer buffer) =>
        entries.Select(e => $"{buffer.DomainTag(e.Domain):x16}/{Encoding.UTF8.GetString(buffer.DomainBytes(e.Domain))}/{Convert.ToHexString(AliasOf(e, buffer))}/{e.Offset}")
            .Order(StringComparer.Ordinal).ToList();
}
