using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Xunit;

namespace Leakwatch.Index.Tests;

/// <summary>The manifest is written by the serializer and read by hand; the two must agree on every manifest.</summary>
public sealed class ManifestParseTests
{
    private static string Canonical(Manifest m) =>
        $"{m.Format}|{m.Generation}|{m.Index}|{m.IndexBytes}|{m.Entries}|{m.KeyId}|{string.Join(",", m.Breaches)}|{m.Published:O}";

    [Property(MaxTest = 300)]
    public bool Parse_ReadsWhatTheWriterWrites(long generation, string? index, long bytes, long entries, string? keyId, int[] breaches, DateTimeOffset published, bool viaPublish)
    {
        published = new DateTimeOffset(Math.Clamp(published.UtcTicks, TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), TimeSpan.Zero);
        var m = new Manifest { Generation = generation, Index = index, IndexBytes = bytes, Entries = entries, KeyId = keyId, Breaches = breaches ?? [], Published = published };
        var json = JsonSerializer.SerializeToUtf8Bytes(m, ManifestJson.Default.Manifest);
        if (!viaPublish)
        {
            return Canonical(m) == Canonical(Manifest.Parse(json));
        }

        using var dir = new TempDir();
        var store = new ExposureIndexStore(dir.Path);
        store.Publish(m);
        return Canonical(m) == Canonical(store.ReadManifest());
    }

    [Fact]
    public void Parse_RetiredList_ReadsWhatTheWriterWrites()
    {
        var at = new DateTimeOffset(2026, 12, 2, 15, 0, 0, TimeSpan.Zero);
        var m = new Manifest
        {
            Generation = 3,
            Index = "index/gen-00000003-c.lwx",
            Retired = [new() { File = "index/gen-00000001-a.lwx", Retired = at }, new() { File = "index/gen-00000002-b.lwx", Retired = at.AddMinutes(1) }],
        };
        var parsed = Manifest.Parse(JsonSerializer.SerializeToUtf8Bytes(m, ManifestJson.Default.Manifest));
        Assert.Equal(m.Retired, parsed.Retired);
        Assert.Empty(Manifest.Parse("""{"generation":1}"""u8).Retired);
        Assert.Throws<JsonException>(() => Manifest.Parse("""{"retired":[{"retired":"2026-12-02T15:00:00Z"}]}"""u8));
    }

    [Fact]
    public void Parse_SkipsUnknownProperties_AndDefaultsMissingOnes()
    {
        var m = Manifest.Parse("""{"generation":5,"future":{"x":[1,2,{"y":null}]},"breaches":[3,1]}"""u8);
        Assert.Equal((Manifest.CurrentFormat, 5L, "3,1", (string?)null), (m.Format, m.Generation, string.Join(",", m.Breaches), m.Index));
    }

    [Fact]
    public void ReadManifest_WithByteOrderMark_ReadsAsBefore()
    {
        using var dir = new TempDir();
        var store = new ExposureIndexStore(dir.Path);
        File.WriteAllText(store.ManifestPath, """{"format":1,"generation":9,"breaches":[2]}""", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(9, store.ReadManifest().Generation);
    }

    [Theory]
    [InlineData("""{"format":1,"generation":"one"}""", "manifest is not valid JSON")]
    [InlineData("""{"format":1,"breaches":[1,"2"]}""", "manifest is not valid JSON")]
    [InlineData("""{"format":1,"published":"yesterday"}""", "manifest is not valid JSON")]
    [InlineData("""{"format":1,"generation":1""", "manifest is not valid JSON")]
    [InlineData("""{"format":1} {}""", "manifest is not valid JSON")]
    [InlineData("""[1]""", "manifest is not valid JSON")]
    [InlineData("""{"format":2}""", "unsupported manifest format")]
    public void ReadManifest_Damaged_FailsNamingTheFile(string text, string message)
    {
        using var dir = new TempDir();
        var store = new ExposureIndexStore(dir.Path);
        File.WriteAllText(store.ManifestPath, text, Encoding.UTF8);
        var e = Assert.Throws<IndexCorruptException>(store.ReadManifest);
        Assert.StartsWith(store.ManifestPath + ": " + message, e.Message);
    }
}
