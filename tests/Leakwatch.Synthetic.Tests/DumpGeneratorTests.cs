using System.Security.Cryptography;
using System.Text;
using Leakwatch.Core;

namespace Leakwatch.Synthetic.Tests;

public sealed class DumpGeneratorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("leakwatch-synthetic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => System.IO.Path.Combine(_dir, name);

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Theory]
    [InlineData(DumpShape.Csv)]
    [InlineData(DumpShape.Colon)]
    [InlineData(DumpShape.JsonLines)]
    public void Generate_SameOptions_ByteIdenticalOutput(DumpShape shape)
    {
        var options = new GeneratorOptions(3_000, 7, shape);
        DumpGenerator.Generate(options, PathOf("a"));
        DumpGenerator.Generate(options, PathOf("b"));
        Assert.Equal(Hash(PathOf("a")), Hash(PathOf("b")));
    }

    [Fact]
    public void Generate_DifferentSeed_DifferentOutput()
    {
        DumpGenerator.Generate(new GeneratorOptions(3_000, 7), PathOf("a"));
        DumpGenerator.Generate(new GeneratorOptions(3_000, 8), PathOf("b"));
        Assert.NotEqual(Hash(PathOf("a")), Hash(PathOf("b")));
    }

    [Fact]
    public void Generate_TextWriterAndFile_SameBytes()
    {
        var options = new GeneratorOptions(2_000, 7);
        DumpGenerator.Generate(options, PathOf("a.csv"));
        using var sw = new StringWriter { NewLine = "\n" };
        DumpGenerator.Generate(options, sw);
        Assert.Equal(File.ReadAllText(PathOf("a.csv"), Encoding.UTF8), sw.ToString());
    }

    [Theory]
    [InlineData(DumpShape.Csv, 20_000)]
    [InlineData(DumpShape.Colon, 20_000)]
    [InlineData(DumpShape.JsonLines, 5_000)]
    public void Generate_AnyShape_TruthMatchesIndependentRecount(DumpShape shape, int records)
    {
        GeneratorTruth truth = DumpGenerator.Generate(new GeneratorOptions(records, 7, shape), PathOf("d"), collectIdentifiers: true);
        Recount r = Recount.Of(PathOf("d"));

        Assert.Equal(records, truth.Rows);
        Assert.Equal(r.Rows, truth.Rows);
        Assert.Equal(r.DuplicateRows, truth.DuplicateRows);
        Assert.Equal(r.InvalidEmail, truth.InvalidEmail);
        Assert.Equal(r.InvalidPhone, truth.InvalidPhone);
        Assert.Equal(r.InvalidBirthdate, truth.InvalidBirthdate);
        Assert.Equal(r.Emails.Count, truth.DistinctEmails);
        Assert.Equal(r.Phones.Count, truth.DistinctPhones);
        Assert.True(r.Emails.SetEquals(truth.Emails!));
        Assert.True(r.Phones.SetEquals(truth.Phones!));

        // Every flaw is present, and shared identifiers make distinct counts fall short of the rows that carry them.
        Assert.InRange(truth.DuplicateRows, 1, records / 40);
        Assert.InRange(truth.InvalidPhone, 1, records / 20);
        Assert.True(truth.InvalidEmail > 0 && truth.InvalidBirthdate > 0);
        long rowsWithValidPhone = r.Records.Count(f => f[0].Length > 0) - truth.InvalidPhone;
        Assert.True(truth.DistinctPhones < rowsWithValidPhone - truth.DuplicateRows);
    }

    [Theory]
    [InlineData(DumpShape.Csv, 0.85)]
    [InlineData(DumpShape.Colon, 0.05)]
    public void Generate_Shape_EmailPresenceLikeTheOriginal(DumpShape shape, double expected)
    {
        GeneratorTruth truth = DumpGenerator.Generate(new GeneratorOptions(10_000, 3, shape), PathOf("d"));
        Assert.InRange(1.0 - (double)truth.EmptyEmail / truth.Rows, expected - 0.02, expected + 0.02);
    }

    [Fact]
    public void Generate_Csv_HasMixedFormatsIdnAndMixedCase()
    {
        GeneratorTruth truth = DumpGenerator.Generate(new GeneratorOptions(20_000, 7), PathOf("d.csv"), collectIdentifiers: true);
        Recount r = Recount.Of(PathOf("d.csv"));
        string[] phones = r.Records.Select(f => f[0]).ToArray();
        Assert.Contains(phones, p => p.StartsWith('+') && p.All(c => c == '+' || char.IsAsciiDigit(c)));
        Assert.Contains(phones, p => p.Length > 0 && p.All(char.IsAsciiDigit));
        Assert.Contains(phones, p => p.StartsWith('+') && p.Contains(' ', StringComparison.Ordinal));
        Assert.Contains(phones, p => p.StartsWith('+') && p.Contains('-', StringComparison.Ordinal));
        Assert.Contains(phones, p => p.StartsWith("+1 (", StringComparison.Ordinal));
        Assert.Contains(r.Records, f => f[10].Contains('/', StringComparison.Ordinal) && Recount.Birthdate(f[10]));
        Assert.Contains(r.Records, f => f[10].Contains('-', StringComparison.Ordinal) && Recount.Birthdate(f[10]));
        Assert.Contains(r.Records, f => f[8].Contains(',', StringComparison.Ordinal));
        Assert.Contains(truth.Emails!, e => e.EndsWith("@xn--mller-kva.de", StringComparison.Ordinal) || e.Contains("@xn--", StringComparison.Ordinal));
        Assert.Contains(r.Records, f => f[9].Any(char.IsUpper) && Recount.Email(f[9]) is not null);
        Assert.All(truth.Emails!, e => Assert.Equal(e.ToLowerInvariant(), e));
    }

    [Fact]
    public void Generate_Colon_NoExtraSeparatorsAndDigitPhones()
    {
        DumpGenerator.Generate(new GeneratorOptions(5_000, 11, DumpShape.Colon), PathOf("d.txt"));
        string[] lines = File.ReadAllLines(PathOf("d.txt"));
        Assert.All(lines, l => Assert.Equal(10, l.Count(c => c == ':')));
        Assert.All(lines, l => Assert.True(l.Split(':')[0].All(char.IsAsciiDigit)));
        Assert.All(lines, l => Assert.DoesNotContain("-", l.Split(':')[10], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(20_000, null, 500)]
    [InlineData(1_000, null, 50)]
    [InlineData(5_000, 1_234, 1_234)]
    public void Generate_PlantedRun_ExistsWithExactLengthAndIsLongest(int records, int? length, int expected)
    {
        GeneratorTruth truth = DumpGenerator.Generate(new GeneratorOptions(records, 5) { PlantedRunLength = length }, PathOf("d"), collectIdentifiers: true);
        Recount r = Recount.Of(PathOf("d"));
        PlantedRun run = truth.LongestPlantedRun!;
        Assert.Equal(expected, run.Length);
        var (start, len) = Recount.LongestRun(r.Phones);
        Assert.Equal(run.Start, start);
        Assert.Equal(run.Length, len);
        Assert.DoesNotContain(run.Start - 1, r.Phones);
        Assert.DoesNotContain(run.Start + (ulong)run.Length, r.Phones);
        // Nothing else is even two numbers long.
        var rest = r.Phones.Where(p => p < run.Start || p >= run.Start + (ulong)run.Length).ToHashSet();
        Assert.DoesNotContain(rest, p => rest.Contains(p + 1));
    }

    [Theory]
    [InlineData("d.csv.gz")]
    [InlineData("d.csv.zst")]
    public void Generate_CompressedPath_DecompressesToPlainBytes(string name)
    {
        var options = new GeneratorOptions(3_000, 9);
        GeneratorTruth plain = DumpGenerator.Generate(options, PathOf("d.csv"));
        GeneratorTruth packed = DumpGenerator.Generate(options, PathOf(name));
        Assert.True(new FileInfo(PathOf(name)).Length < new FileInfo(PathOf("d.csv")).Length * 2 / 3);
        Assert.Equal(File.ReadAllText(PathOf("d.csv")), Recount.ReadText(PathOf(name)));
        Assert.Equal(plain.ToString(), packed.ToString());
    }

    [Theory]
    [InlineData(DumpShape.Colon, DumpShape.Csv, "old.txt.gz")]
    [InlineData(DumpShape.Csv, DumpShape.JsonLines, "old.csv.zst")]
    [InlineData(DumpShape.JsonLines, DumpShape.Colon, "old.jsonl")]
    public void Generate_RecycleFrom_ReusesPersonsOfTheEarlierDump(DumpShape oldShape, DumpShape newShape, string oldName)
    {
        GeneratorTruth old = DumpGenerator.Generate(new GeneratorOptions(10_000, 21, oldShape), PathOf(oldName), collectIdentifiers: true);
        var options = new GeneratorOptions(8_000, 22, newShape) { RecycleFrom = PathOf(oldName), RecycleRate = 0.25 };
        GeneratorTruth fresh = DumpGenerator.Generate(options, PathOf("new"), collectIdentifiers: true);
        Recount r = Recount.Of(PathOf("new"));

        Assert.InRange(fresh.RecycledRows, 1_900, 2_100);
        Assert.Equal(r.Phones.Count, fresh.DistinctPhones);
        Assert.Equal(r.Emails.Count, fresh.DistinctEmails);
        Assert.Equal(r.InvalidEmail, fresh.InvalidEmail);
        Assert.Equal(r.InvalidPhone, fresh.InvalidPhone);
        Assert.Equal(r.InvalidBirthdate, fresh.InvalidBirthdate);
        Assert.Equal(r.DuplicateRows, fresh.DuplicateRows);

        // Each recycled row carries a distinct valid phone of the earlier dump; fresh phones never collide with it.
        Assert.Equal(fresh.RecycledRows, fresh.Phones!.Intersect(old.Phones!).Count());
        Assert.NotEmpty(fresh.Emails!.Intersect(old.Emails!));

        // The recycled persons keep their uid and names: each row with an old phone matches an old person.
        Recount before = Recount.Of(PathOf(oldName));
        var oldPersons = before.Records.Where(f => Recount.Phone(f[0]) is not null)
            .Select(f => (Recount.Phone(f[0])!.Value, f[1], f[2], f[3])).ToHashSet();
        var recycledPhones = new HashSet<ulong>();
        foreach (string[] f in r.Records)
        {
            if (Recount.Phone(f[0]) is ulong p && old.Phones!.Contains(p))
            {
                Assert.Contains((p, f[1], f[2], f[3]), oldPersons);
                recycledPhones.Add(p);
            }
        }
        Assert.Equal(fresh.RecycledRows, recycledPhones.Count);
    }

    [Fact]
    public void Generate_Progress_ReportsFinalCount()
    {
        long last = 0;
        DumpGenerator.Generate(new GeneratorOptions(70_000, 1) { EmailPresence = 0, BirthdatePresence = 0 }, TextWriter.Null, progress: new SyncProgress<long>(v => last = v));
        Assert.Equal(70_000, last);
    }
}
