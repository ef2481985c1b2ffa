using System.Text.Json;
using Leakwatch.Synthetic;

namespace Leakwatch.Cli.Tests;

/// <summary>`generate --truth`, where the conformance run takes its expected answers from.</summary>
public class GenerateTruthTests
{
    [Fact]
    public void Generate_WithTruth_WritesExactlyThePlantedIdentifiers()
    {
        using var dir = new TempDir();
        var dump = dir.File("dump.csv");
        var truthPath = dir.File("truth.json");
        var r = LeakwatchProcess.Run(["generate", "--records", "3000", "--seed", "5", "--out", dump, "--truth", truthPath]);
        Assert.True(r.ExitCode == 0, r.Stderr);

        // The same generator in process, with its identifier sets collected, is the reference.
        var expected = DumpGenerator.Generate(new GeneratorOptions(3_000, 5, DumpShape.Csv), dir.File("reference.csv"), collectIdentifiers: true);
        Assert.Equal(File.ReadAllBytes(dir.File("reference.csv")), File.ReadAllBytes(dump));
        var truth = JsonDocument.Parse(File.ReadAllText(truthPath)).RootElement;
        var emails = truth.GetProperty("emails").EnumerateArray().Select(e => e.GetString()!).ToList();
        var phones = truth.GetProperty("phones").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(expected.Emails!.Order(StringComparer.Ordinal), emails);
        Assert.Equal(expected.Phones!.Order().Select(p => "+" + p.ToString(System.Globalization.CultureInfo.InvariantCulture)), phones);
        Assert.NotEmpty(emails);
        Assert.NotEmpty(phones);

        // Without --truth nothing but the dump is written.
        var plain = LeakwatchProcess.Run(["generate", "--records", "10", "--out", dir.File("plain.csv")]);
        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(["dump.csv", "plain.csv", "reference.csv", "truth.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
