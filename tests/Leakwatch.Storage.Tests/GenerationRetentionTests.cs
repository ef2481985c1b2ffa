using Leakwatch.Storage.Retention;

namespace Leakwatch.Storage.Tests;

public sealed class GenerationRetentionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1.5h", 5400)]
    [InlineData("1d", 86400)]
    [InlineData("00:10:00", 600)]
    public void ParsePeriod_Accepted(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), GenerationRetention.ParsePeriod(text));

    [Theory]
    [InlineData("")]
    [InlineData("ten minutes")]
    [InlineData("-5m")]
    [InlineData("10x")]
    [InlineData("-00:01:00")]
    public void ParsePeriod_Rejected(string text) => Assert.Null(GenerationRetention.ParsePeriod(text));

    [Fact]
    public void Retire_AddsReplacedFiles_DropsExpiredAndStillNamedOnes()
    {
        var clock = new ManualClock(T0);
        var retention = new GenerationRetention(TimeSpan.FromMinutes(10), clock);
        RetiredFile[] previous = [new() { File = "old", Retired = T0.AddMinutes(-10) }, new() { File = "recent", Retired = T0.AddMinutes(-9) }, new() { File = "back", Retired = T0 }];
        var next = retention.Retire(previous, ["current", "same"], ["back", "same", "new"]);
        Assert.Equal([new RetiredFile { File = "recent", Retired = T0.AddMinutes(-9) }, new RetiredFile { File = "current", Retired = T0 }], next);
        Assert.Equal(["recent", "current"], retention.Kept(next).Order(StringComparer.Ordinal).Reverse());
        clock.Now = T0.AddMinutes(1);
        Assert.Equal(["current"], retention.Kept(next));
        Assert.Empty(new GenerationRetention(TimeSpan.Zero, clock).Retire(previous, ["current"], ["new"]));
        Assert.Empty(new GenerationRetention(TimeSpan.Zero, clock).Kept(next));
    }

    [Fact]
    public void Keeps_RetireTimeAheadOfTheClock_CountsAsJustRetired()
    {
        var retention = new GenerationRetention(TimeSpan.FromMinutes(10), new ManualClock(T0));
        Assert.True(retention.Keeps(T0.AddMinutes(5)));
        Assert.False(retention.Keeps(T0.AddMinutes(-10)));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
