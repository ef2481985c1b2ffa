using Leakwatch.Core;

namespace Leakwatch.Catalog.Tests;

/// <summary>The snapshot codec: a golden file for the format, round trips over random breaches, and damaged
/// bytes that are refused without an exception.</summary>
public sealed class PublishedBreachSnapshotCodecTests
{
    private static string GoldenPath([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Golden", "breaches_snapshot.json");

    private static List<Breach> GoldenBreaches() =>
    [
        new()
        {
            Id = 1, Name = "OldScrape", Title = "Old \"scrape\" <2019>", Domain = "example.com", BreachDate = new DateOnly(2019, 9, 1),
            AddedDate = new DateTimeOffset(2026, 11, 28, 4, 33, 20, TimeSpan.Zero).AddTicks(5031959),
            ModifiedDate = new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.FromHours(1)), PwnCount = 533_000_000,
            Description = "Phones — scraped; ünïcode & 'quotes'", LogoPath = "", DataClasses = ["Names", "Phone numbers"],
            IsVerified = true, IsSpamList = false, StatsJson = "{\"rows\":3}",
        },
        new()
        {
            Id = 7, Name = "Leak", Title = "Leak", BreachDate = new DateOnly(1, 1, 1), PwnCount = 0, DataClasses = [],
            IsFabricated = true, IsSensitive = true, IsRetired = true, IsSpamList = true, IsMalware = true, IsSubscriptionFree = true, IsStealerLog = true,
        },
    ];

    private static string Canonical(List<Breach> breaches) =>
        string.Join("\n", breaches.Select(b => $"{b with { DataClasses = [] }}|{string.Join(",", b.DataClasses)}"));

    [Fact]
    public void Encode_MatchesGoldenFile_AndGoldenDecodesToTheBreaches()
    {
        var golden = File.ReadAllBytes(GoldenPath());
        Assert.Equal(System.Text.Encoding.UTF8.GetString(golden).TrimEnd('\n'), System.Text.Encoding.UTF8.GetString(PublishedBreachSnapshot.Encode(42, GoldenBreaches())));

        Assert.True(PublishedBreachSnapshot.TryDecode(golden, out var format, out var generation, out var decoded));
        Assert.Equal((1, 42L), (format, generation));
        Assert.Equal(Canonical(GoldenBreaches()), Canonical(decoded!));
    }

    [Fact]
    public void Decode_SkipsPropertiesItDoesNotKnow()
    {
        var json = """{"format":1,"future":{"a":[1,{"b":null}]},"generation":3,"breaches":[{"name":"A","extra":[true],"title":"T","breachDate":"2020-02-29","dataClasses":["Names"]}]}""";
        Assert.True(PublishedBreachSnapshot.TryDecode(System.Text.Encoding.UTF8.GetBytes(json), out _, out var generation, out var decoded));
        Assert.Equal(3, generation);
        var b = Assert.Single(decoded!);
        Assert.Equal(("A", "T", new DateOnly(2020, 2, 29), "Names"), (b.Name, b.Title, b.BreachDate, string.Join(",", b.DataClasses)));
    }

    [Theory]
    [InlineData("""{"format":1,"generation":1,"breaches":[{"name":"A","title":"T","breachDate":"2021-02-29"}]}""")]
    [InlineData("""{"format":1,"generation":1,"breaches":[{"name":"A","title":"T","breachDate":"2021-2-28"}]}""")]
    [InlineData("""{"format":1,"generation":1,"breaches":[{"title":"T"}]}""")]
    [InlineData("""{"format":1,"generation":1,"breaches":[{"name":"A","title":"T","pwnCount":"many"}]}""")]
    [InlineData("""{"format":1,"generation":1}""")]
    [InlineData("""{"format":1,"generation":1,"breaches":[]} trailing""")]
    [InlineData("""[]""")]
    [InlineData("")]
    public void Decode_RefusesMalformedSnapshots(string json) =>
        Assert.False(PublishedBreachSnapshot.TryDecode(System.Text.Encoding.UTF8.GetBytes(json), out _, out _, out var decoded) || decoded is not null);

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool EncodeDecode_RoundTripsAnyBreachList(FsCheck.NonNegativeInt[] ids, string?[] texts, long generation, bool[] flags, int seed)
    {
        var rng = new Random(seed);
        string Text(int i) => texts.Length == 0 ? "" : texts[i % texts.Length] ?? "";
        var breaches = new List<Breach>();
        for (var i = 0; i < ids.Length; i++)
        {
            bool Flag(int k) => flags.Length > 0 && flags[(i + k) % flags.Length];
            breaches.Add(new Breach
            {
                Id = ids[i].Get,
                Name = Text(i),
                Title = Text(i + 1),
                Domain = Text(i + 2),
                Description = Text(i + 3),
                LogoPath = Text(i + 4),
                BreachDate = DateOnly.FromDayNumber(rng.Next(DateOnly.MaxValue.DayNumber + 1)),
                AddedDate = new DateTimeOffset(rng.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.FromMinutes(rng.Next(-14 * 60, 14 * 60 + 1))),
                ModifiedDate = DateTimeOffset.UnixEpoch.AddTicks(rng.NextInt64(0, TimeSpan.TicksPerDay * 365 * 100)),
                PwnCount = rng.NextInt64(),
                DataClasses = Enumerable.Range(0, rng.Next(4)).Select(k => Text(i + k)).ToList(),
                IsVerified = Flag(0),
                IsFabricated = Flag(1),
                IsSensitive = Flag(2),
                IsRetired = Flag(3),
                IsSpamList = Flag(4),
                IsMalware = Flag(5),
                IsSubscriptionFree = Flag(6),
                IsStealerLog = Flag(7),
                StatsJson = Flag(8) ? null : Text(i + 5),
            });
        }

        // Strings the JSON writer cannot encode (lone surrogates) are refused by the writer; skip those inputs.
        byte[] bytes;
        try
        {
            bytes = PublishedBreachSnapshot.Encode(generation, breaches);
        }
        catch (ArgumentException)
        {
            return texts.Any(t => t is not null && t.Any(char.IsSurrogate));
        }

        var ok = PublishedBreachSnapshot.TryDecode(bytes, out var format, out var g, out var decoded);
        var roundTrips = ok && format == 1 && g == generation && Canonical(breaches) == Canonical(decoded!);
        // Every strict prefix of a snapshot is refused, never half-read.
        var cut = bytes.Length == 0 ? 0 : rng.Next(bytes.Length);
        return roundTrips && !PublishedBreachSnapshot.TryDecode(bytes.AsSpan(0, cut), out _, out _, out _);
    }
}
