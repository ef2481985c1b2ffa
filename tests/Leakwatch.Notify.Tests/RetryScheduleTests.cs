using Leakwatch.Notify.Delivery;

namespace Leakwatch.Notify.Tests;

public sealed class RetryScheduleTests
{
    [Fact]
    public void Ceilings_DoubleFrom30Seconds_NeverShrink_AndAddUpToExactly24Hours()
    {
        var ceilings = RetrySchedule.Ceilings;
        Assert.Equal(TimeSpan.FromSeconds(30), ceilings[0]);
        Assert.Equal(TimeSpan.FromSeconds(60), ceilings[1]);
        Assert.Equal(TimeSpan.FromSeconds(120), ceilings[2]);
        for (var i = 1; i < ceilings.Count - 1; i++)
        {
            Assert.True(ceilings[i] >= ceilings[i - 1], $"ceiling {i} shrinks");
            Assert.True(ceilings[i] <= RetrySchedule.MaxStep, $"ceiling {i} is above the largest step");
        }

        Assert.Equal(TimeSpan.FromHours(24), ceilings.Aggregate(TimeSpan.Zero, (a, b) => a + b));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.999999)]
    public void Delay_IsWithinItsCeiling_AndAtLeastASecond(double unit)
    {
        for (var failures = 1; failures < RetrySchedule.MaxAttempts; failures++)
        {
            var delay = RetrySchedule.Delay(failures, unit);
            Assert.NotNull(delay);
            Assert.InRange(delay.Value, TimeSpan.FromSeconds(1), RetrySchedule.Ceilings[failures - 1]);
        }
    }

    [Fact]
    public void Delay_IsJittered_FullRangeOfTheCeiling()
    {
        var ceiling = RetrySchedule.Ceilings[5];
        var delays = new HashSet<TimeSpan>();
        for (var i = 0; i < 200; i++)
        {
            delays.Add(RetrySchedule.Delay(6, Random.Shared.NextDouble())!.Value);
        }

        Assert.True(delays.Count > 150, "jitter spreads the retries");
        Assert.Contains(delays, d => d < ceiling / 4);
        Assert.Contains(delays, d => d > ceiling * 3 / 4);
    }

    [Fact]
    public void ARowThatAlwaysFails_IsDeadWithin24HoursOfItsFirstAttempt_WhateverTheJitter()
    {
        foreach (var unit in new[] { 0.0, 0.5, 0.9999999 })
        {
            var first = new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
            var now = first;
            var attempts = 1;
            while (RetrySchedule.Delay(attempts, unit) is { } delay)
            {
                now += delay;
                attempts++;
            }

            Assert.True(now - first <= TimeSpan.FromHours(24), $"unit {unit}: last attempt {now - first} after the first");
            Assert.Equal(RetrySchedule.MaxAttempts, attempts);
        }

        // The largest jitter spends nearly all of the day before giving up.
        var longest = RetrySchedule.Ceilings.Aggregate(TimeSpan.Zero, (a, c) => a + c);
        Assert.True(longest > TimeSpan.FromHours(23.9));
        Assert.Null(RetrySchedule.Delay(RetrySchedule.MaxAttempts, 0.5));
        Assert.Null(RetrySchedule.RetryAt(RetrySchedule.MaxAttempts, DateTimeOffset.UnixEpoch));
    }
}
