using System.Globalization;
using System.Runtime.InteropServices;
using Leakwatch.Storage.Memory;

namespace Leakwatch.Storage.Tests.Memory;

/// <summary>The managed heap's range is found in /proc/self/maps and advised for transparent huge pages.</summary>
public sealed class HugePagesTests
{
    private static readonly string[] Maps =
    [
        "55d0c0000000-55d0c0021000 r--p 00000000 fd:01 1234    /usr/bin/dotnet",
        "7f0000000000-7f0000400000 rw-p 00000000 00:00 0 ",
        "7f0000400000-7f4000000000 ---p 00000000 00:00 0",
        "7f4000000000-7f4000200000 rw-p 00000000 00:00 0",
        "7f4000200000-7f4000300000 r-xp 00000000 fd:01 99      /usr/lib/libc.so.6",
        "7f4000300000-7f4000400000 rw-p 00000000 00:00 0                          [stack]",
    ];

    [Theory]
    [InlineData(0x7f0000000010UL)]
    [InlineData(0x7f1234567890UL)]
    [InlineData(0x7f40001fffffUL)]
    public void FindRange_IsTheRunOfAdjacentAnonymousMappings(ulong address)
    {
        Assert.Equal((0x7f0000000000UL, 0x7f4000200000UL), HugePages.FindRange(Maps, address));
    }

    [Theory]
    [InlineData(0x55d0c0000100UL)] // a file mapping
    [InlineData(0x7f4000300100UL)] // a named mapping (the stack)
    [InlineData(0x10UL)] // nothing mapped
    public void FindRange_OutsideAnonymousMappings_IsNull(ulong address)
    {
        Assert.Null(HugePages.FindRange(Maps, address));
    }

    /// <summary>Random layouts: contiguous or gapped mappings, anonymous or not; the answer is the maximal run of
    /// touching anonymous mappings around the address, whatever the line's spacing.</summary>
    [FsCheck.Xunit.Property]
    public bool FindRange_AnyLayout_IsTheMaximalAnonymousRun(FsCheck.NonEmptyArray<(bool Anonymous, bool Gap, byte Pages)> layout, FsCheck.NonNegativeInt pick)
    {
        var lines = new List<string>();
        var spans = new List<(ulong Start, ulong End, bool Anonymous)>();
        var at = 0x7f0000000000UL;
        foreach (var (anonymous, gap, pages) in layout.Get)
        {
            at += gap ? 0x1000UL : 0;
            var end = at + ((ulong)(pages % 16) + 1) * 0x1000;
            var range = string.Create(CultureInfo.InvariantCulture, $"{at:x}-{end:x}");
            lines.Add(anonymous ? $"{range} rw-p 00000000 00:00 0   " : $"{range} r--p 00000000 fd:01 7   /lib/x.so");
            spans.Add((at, end, anonymous));
            at = end;
        }

        var i = pick.Get % spans.Count;
        var address = spans[i].Start + 0x10;
        var found = HugePages.FindRange(lines, address);
        if (!spans[i].Anonymous)
        {
            return found is null;
        }

        var first = i;
        while (first > 0 && spans[first - 1].Anonymous && spans[first - 1].End == spans[first].Start)
        {
            first--;
        }

        var last = i;
        while (last + 1 < spans.Count && spans[last + 1].Anonymous && spans[last + 1].Start == spans[last].End)
        {
            last++;
        }

        return found == (spans[first].Start, spans[last].End);
    }

    /// <summary>On this machine's kernel: where THP is in <c>madvise</c> mode the heap's mappings become eligible;
    /// elsewhere nothing is changed and the call says so.</summary>
    [Fact]
    public void AdviseManagedHeap_MakesTheHeapEligible_WhereTheKernelAsks()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(HugePages.AdviseManagedHeap());
            return;
        }

        var mode = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled");
        var advised = HugePages.AdviseManagedHeap();
        Assert.Equal(mode.Contains("[madvise]", StringComparison.Ordinal), advised);
        if (!advised)
        {
            return;
        }

        // An array allocated after the advice lands in the advised range: its mapping is THP-eligible.
        var array = GC.AllocateUninitializedArray<byte>(8 << 20, pinned: true);
        var address = (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        Assert.Equal(1, EligibleFlag(address));
        GC.KeepAlive(array);
    }

    /// <summary>The THPeligible flag of the mapping holding <paramref name="address"/> in /proc/self/smaps; -1 if none.</summary>
    internal static int EligibleFlag(ulong address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash
                && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end))
            {
                inside = start <= address && address < end;
            }
            else if (inside && line.StartsWith("THPeligible:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan("THPeligible:".Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
