using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Leakwatch.Passwords.Tests;

public class StoreTests
{
    [Theory]
    [InlineData(PasswordHashMode.Sha1, 0)]
    [InlineData(PasswordHashMode.Sha1, 3)]
    [InlineData(PasswordHashMode.Ntlm, 0)]
    [InlineData(PasswordHashMode.Ntlm, 799)]
    public void AppendPadding_AnyBody_TotalLinesBetween800And1000(PasswordHashMode mode, int existing)
    {
        var suffix = mode == PasswordHashMode.Sha1 ? 35 : 27;
        for (var trial = 0; trial < 50; trial++)
        {
            var w = new ArrayBufferWriter<byte>();
            var body = string.Join("\r\n", Enumerable.Range(0, existing).Select(i => new string('A', suffix) + ":" + (i + 1)));
            w.Write(Encoding.ASCII.GetBytes(body));
            var added = PasswordRangeStore.AppendPadding(mode, existing, w);
            var text = Encoding.ASCII.GetString(w.WrittenSpan);
            Assert.False(text.EndsWith('\n'));
            var lines = text.Split("\r\n");
            Assert.InRange(lines.Length, 800, 1000);
            Assert.Equal(lines.Length, existing + added);
            Assert.DoesNotContain('\n', text.Replace("\r\n", "", StringComparison.Ordinal));
            foreach (var line in lines.Skip(existing))
            {
                Assert.Matches($"^[0-9A-F]{{{suffix}}}:0$", line);
            }
        }
    }

    [Fact]
    public void AppendPadding_BodyAlreadyLong_AddsNothing()
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.Equal(0, PasswordRangeStore.AppendPadding(PasswordHashMode.Sha1, 1000, w));
        Assert.Equal(0, w.WrittenCount);
    }

    [Fact]
    public void AppendPadding_Repeated_RandomSuffixesAndTotals()
    {
        var totals = new HashSet<int>();
        var firsts = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var w = new ArrayBufferWriter<byte>();
            totals.Add(PasswordRangeStore.AppendPadding(PasswordHashMode.Sha1, 0, w));
            firsts.Add(Encoding.ASCII.GetString(w.WrittenSpan[..35]));
        }

        Assert.True(totals.Count > 1);
        Assert.Equal(20, firsts.Count);
    }

    [Theory]
    [InlineData("5BAA6", true)]
    [InlineData("5baa6", true)]
    [InlineData("00000", true)]
    [InlineData("fFfFf", true)]
    [InlineData("5BAA", false)]
    [InlineData("5BAA61", false)]
    [InlineData("5BAG6", false)]
    [InlineData("", false)]
    [InlineData("5BA 6", false)]
    [InlineData("５BAA6", false)]
    public void IsValidPrefix_Input_Expected(string prefix, bool valid)
    {
        Assert.Equal(valid, PasswordRangeStore.IsValidPrefix(prefix));
    }

    [Fact]
    public void WriteRange_SmallStore_MatchesGoldenFile()
    {
        using var tmp = new TempDir();
        var input = tmp.Write("golden-input.txt", string.Join("\n",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:52256179",
            "5baa6000000000000000000000000000000000ff:1",
            "5BAA6FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:4294967295",
            "5BAA60123456789ABCDEF0123456789ABCDEF012:7",
            "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:1",
            "00000000000000000000000000000000000000FF:2",
            "7C4A8D09CA3762AF61E59520943DC26494F8941B:10"));
        PasswordIngest.Run(tmp.DataDir, [input], PasswordInputMode.Auto);
        using var store = PasswordRangeStore.Open(tmp.DataDir)!;
        var golden = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", "range-5BAA6.txt"));
        var w = new ArrayBufferWriter<byte>();
        Assert.Equal(4, store.WriteRange(PasswordHashMode.Sha1, "5baa6", w));
        Assert.Equal(golden, w.WrittenSpan.ToArray());
        Assert.Equal("000000000000000000000000000000000FF:2", Support.Range(store, PasswordHashMode.Sha1, "00000"));
    }

    [Fact]
    public void Open_CorruptHeader_Throws()
    {
        using var tmp = new TempDir();
        var f = tmp.Write("1.txt", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3\n");
        PasswordIngest.Run(tmp.DataDir, [f], PasswordInputMode.Auto);
        var file = Directory.GetFiles(Path.Combine(tmp.DataDir, "passwords"), "*.lwp").Single();
        using (var fs = new FileStream(file, FileMode.Open, FileAccess.ReadWrite))
        {
            fs.Position = 30;
            fs.WriteByte(0x55);
        }

        Assert.Throws<PasswordStoreCorruptException>(() => PasswordRangeStore.Open(tmp.DataDir));
    }

    [Fact]
    public void Property_RandomHashLines_RangesMatchReference()
    {
        using var tmp = new TempDir();
        var run = 0;
        var gen =
            from n in Gen.Choose(1, 60)
            from picks in Gen.ArrayOf(Gen.Choose(0, 15), n * 3)
            select picks;
        Prop.ForAll(gen.ToArbitrary(), picks =>
        {
            // Few distinct hashes in two prefixes, so duplicates and shared ranges are common.
            var lines = new List<string>();
            for (var i = 0; i + 2 < picks.Length; i += 3)
            {
                var prefix = picks[i] % 2 == 0 ? "ABCDE" : "ABCDF";
                lines.Add($"{prefix}{new string("0123456789ABCDEF"[picks[i + 1]], 35)}:{picks[i + 2] + 1}");
            }

            var dataDir = Path.Combine(tmp.Path, $"d{run++}");
            var f = tmp.Write($"in{run}.txt", string.Join("\n", lines));
            PasswordIngest.Run(dataDir, [f], PasswordInputMode.Sha1, new PasswordIngestOptions { RunBytes = 16 * 32 });
            var reference = Support.Reference(lines);
            using var store = PasswordRangeStore.Open(dataDir)!;
            return Support.ReferenceRange(reference, "ABCDE") == Support.Range(store, PasswordHashMode.Sha1, "abcde")
                && Support.ReferenceRange(reference, "ABCDF") == Support.Range(store, PasswordHashMode.Sha1, "ABCDF");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(25));
    }
}
