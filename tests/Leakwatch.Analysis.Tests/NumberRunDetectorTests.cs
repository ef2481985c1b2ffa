using System.Globalization;

namespace Leakwatch.Analysis.Tests;

public sealed class NumberRunDetectorTests
{
    [Fact]
    public void Detect_PlantedRun_FindsExactLengthAndMasksStart()
    {
        var (path, truth) = TestDumps.Csv20k;
        var run = truth.LongestPlantedRun!;
        var (scan, merged) = FullScan.Run(path);
        using var _ = merged;

        Assert.Equal(truth.DistinctPhones, scan.Phones.Count);
        var result = NumberRunDetector.Detect(merged);

        Assert.Equal(run.Length, result.LongestRun);
        Assert.Equal(truth.DistinctPhones, result.DistinctNumbers);
        Assert.Equal(run.Region, result.LongestRunRegion);
        Assert.True(result.NumbersInRunsOf100 >= run.Length);
        Assert.True(result.RunsOf100 >= 1);
        var start = run.Start.ToString(CultureInfo.InvariantCulture);
        var masked = result.LongestRunStartMasked!;
        Assert.DoesNotContain(start, masked, StringComparison.Ordinal);
        Assert.EndsWith("xxxx", masked, StringComparison.Ordinal);
        Assert.Equal(start.Length + 1, masked.Length);
        Assert.StartsWith("+" + start[..4], masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_TinyMemoryBudget_SpillsEncryptedRunsAndMatchesInMemory()
    {
        var (path, truth) = TestDumps.Csv20k;
        var (_, inMemory) = FullScan.Run(path);
        var spillDir = TestDumps.TempDir("tiny");
        var (_, spilled) = FullScan.Run(path, new AnalysisOptions { PhoneMemoryBytes = 1024 * sizeof(ulong), TempDirectory = spillDir }, workers: 3);
        using (inMemory)
        using (spilled)
        {
            Assert.True(spilled.Phones.SpilledRuns > 5, $"expected spills, got {spilled.Phones.SpilledRuns}");
            // Spill files are unlinked as soon as they are opened: nothing is left to find in the directory.
            Assert.Empty(Directory.GetFiles(spillDir));

            var expected = NumberRunDetector.Detect(inMemory);
            var actual = NumberRunDetector.Detect(spilled);
            Assert.Equal(truth.LongestPlantedRun!.Length, actual.LongestRun);
            Assert.Equal(expected.LongestRun, actual.LongestRun);
            Assert.Equal(expected.LongestRunStartMasked, actual.LongestRunStartMasked);
            Assert.Equal(expected.DistinctNumbers, actual.DistinctNumbers);
            Assert.Equal(expected.NumbersInRunsOf10, actual.NumbersInRunsOf10);
            Assert.Equal(expected.NumbersInRunsOf100, actual.NumbersInRunsOf100);
            Assert.Equal(expected.RunLengths, actual.RunLengths);
            Assert.Equal(expected.ByCountry, actual.ByCountry);
        }
    }

    [Fact]
    public void SpilledRun_OnDisk_HoldsNoPlaintextNumber()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // reads the unlinked files back through /proc/self/fd
        }

        var dir = TestDumps.TempDir("scan");
        var numbers = new List<ulong>();
        for (ulong i = 0; i < 5000; i++)
        {
            numbers.Add(447700900000UL + i * 7);
        }

        using var store = new PhoneNumberStore(512 * sizeof(ulong), dir);
        foreach (var n in numbers)
        {
            store.Add(n);
        }

        Assert.True(store.SpilledRuns > 0);
        var contents = new List<byte[]>();
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                continue;
            }

            if (target is not null && target.StartsWith(dir, StringComparison.Ordinal))
            {
                contents.Add(File.ReadAllBytes(fd));
            }
        }

        Assert.Equal(store.SpilledRuns, contents.Count);
        foreach (var bytes in contents)
        {
            // A spilled run holds at least half the buffer (it is compacted otherwise), written as gaps of at least
            // one byte a number (SortedIntegerCodec) before sealing: so the file is not some empty shell.
            Assert.True(bytes.Length > 512 / 2, $"a sealed run of {bytes.Length} bytes cannot hold 256 numbers");
            foreach (var n in numbers)
            {
                var le = BitConverter.GetBytes(n);
                var be = BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(n));
                Assert.Equal(-1, bytes.AsSpan().IndexOf(le));
                Assert.Equal(-1, bytes.AsSpan().IndexOf(be));
                Assert.Equal(-1, bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture))));
            }
        }

        using var cursor = store.OpenSortedDistinct();
        var back = new List<ulong>();
        while (cursor.TryNext(out var v))
        {
            back.Add(v);
        }

        Assert.Equal(numbers, back);
    }

    [Fact]
    public void Detect_KnownRuns_CountsRunsAndBuckets()
    {
        var numbers = new List<ulong>();
        for (ulong i = 0; i < 120; i++)
        {
            numbers.Add(12125550000UL + i); // +1 212 555 0000 … 0119: a run of 120
        }

        for (ulong i = 0; i < 12; i++)
        {
            numbers.Add(447911100000UL + i); // a run of 12 in GB
        }

        numbers.Add(447911200000UL);
        numbers.Add(447911200000UL); // repeats count once
        numbers.Add(447911300000UL);

        var r = NumberRunDetector.Detect(numbers);

        Assert.Equal(134, r.DistinctNumbers);
        Assert.Equal(120, r.LongestRun);
        Assert.Equal("+1212555xxxx", r.LongestRunStartMasked);
        Assert.Equal(1, r.RunsOf100);
        Assert.Equal(120, r.NumbersInRunsOf100);
        Assert.Equal(2, r.RunsOf10);
        Assert.Equal(132, r.NumbersInRunsOf10);
        Assert.Contains(new RunLengthBucket(1, 1, 2, 2), r.RunLengths);
        Assert.Contains(new RunLengthBucket(8, 15, 1, 12), r.RunLengths);
        Assert.Contains(new RunLengthBucket(64, 127, 1, 120), r.RunLengths);
        Assert.Contains(r.ByCountry, c => c is { CallingCode: 44, Region: "GB", Numbers: 14, InRunsOf10: 12, InRunsOf100: 0 });
    }

    [Fact]
    public void Detect_ConsecutiveValuesAcrossCallingCodes_AreNotOneRun()
    {
        // 1 999 999 9999 and 20 000 000 000 differ by one but belong to +1 and +20.
        var r = NumberRunDetector.Detect([19999999998UL, 19999999999UL, 20000000000UL, 20000000001UL]);
        Assert.Equal(2, r.LongestRun);
    }

    [Theory]
    [InlineData(12125550123UL, "+1212555xxxx")]
    [InlineData(447911123456UL, "+44791112xxxx")]
    [InlineData(201000000123UL, "+20100000xxxx")]
    [InlineData(4512345678UL, "+451234xxxx")]
    public void Mask_Number_KeepsCallingCodeAndAFewDigits(ulong e164, string expected)
    {
        Assert.Equal(expected, PhoneDigits.Mask(e164));
    }

    /// <summary>The case: a run of 15,000 numbers shown as a block of 10^4 proved about 5,000 specific numbers
    /// were in the dump. The block must hold at least 10× the run.</summary>
    [Theory]
    [InlineData(201000000123UL, 15_000L, "+201000xxxxxx")]
    [InlineData(201000000123UL, 150L, "+20100000xxxx")]
    [InlineData(201000000123UL, 1_000L, "+20100000xxxx")]
    [InlineData(201000000123UL, 1_001L, "+2010000xxxxx")]
    [InlineData(3545512345UL, 15_000L, "+3545xxxxxx")]
    [InlineData(3545512345UL, 1_000_000L, "+354xxxxxxx")]
    public void Mask_RunStart_BlockHoldsTenTimesTheRun(ulong e164, long runLength, string expected)
    {
        Assert.Equal(expected, PhoneDigits.Mask(e164, runLength));
    }

    [Fact]
    public void Detect_RunOf15000_MaskedBlockIsAtLeast150000Numbers()
    {
        var start = 201000000123UL;
        var numbers = new List<ulong>(15_000);
        for (ulong i = 0; i < 15_000; i++)
        {
            numbers.Add(start + i);
        }

        var r = NumberRunDetector.Detect(numbers);
        var masked = r.LongestRunStartMasked!;
        var hidden = masked.Length - masked.TrimEnd('x').Length;
        Assert.Equal(15_000, r.LongestRun);
        Assert.True(Math.Pow(10, hidden) >= 10 * 15_000, $"{masked} names a block of 10^{hidden} numbers");
        Assert.StartsWith("+20", masked, StringComparison.Ordinal);
    }
}
