using System.Text;
using Leakwatch.Analysis;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Reading;
using Leakwatch.Synthetic;

namespace Leakwatch.Ingest.Tests;

/// <summary>Parallel parsing must not change a single byte of what an ingest produces: the same counts, the same
/// verification report and a byte-identical index as the single reader, for the same input and key.</summary>
public sealed class ParallelIngestTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("lw-parallel-ingest-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData(DumpShape.Csv, 1 << 20)]
    [InlineData(DumpShape.Csv, 4096)]
    [InlineData(DumpShape.JsonLines, 4096)]
    public void Ingest_ParallelParsing_SameStatsReportAndIndexAsSingleReader(DumpShape shape, int chunkBytes)
    {
        var dump = Path.Combine(_temp, $"dump-{shape}.txt");
        var truth = DumpGenerator.Generate(new GeneratorOptions(30_000, 77, shape), dump);
        // Row problems too: a NUL byte (the row is skipped) and, past the encoding sample, a bad byte in a name
        // (only that field is lost), both in the middle of the data.
        var lines = File.ReadAllLines(dump, Encoding.UTF8).ToList();
        lines.Insert(lines.Count / 2, "bad\0row@example.com,+441234567890");
        lines.Insert(lines.Count / 2, shape == DumpShape.JsonLines
            ? "{\"phone\":\"+447911123456\",\"first_name\":\"Bad\u0001\",\"email\":\"damaged@example.com\"}"
            : "+447911123456,1,Bad\u0001,Row,,,,,,damaged@example.com,");
        var text = Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
        text[Array.IndexOf(text, (byte)1)] = 0xC3; // a lead byte followed by '"' or ',': invalid UTF-8
        File.WriteAllBytes(dump, text);
        File.AppendAllText(dump, shape == DumpShape.JsonLines
            ? "{\"email\":\"last-row-without-newline@example.com\"}"
            : "last-row-without-newline@example.com,+33123456789");
        var keys = KeyFile.Create(Path.Combine(_temp, "key"));

        var single = Ingest("single", dump, keys, parallel: false, chunkBytes);
        var parallel = Ingest("parallel", dump, keys, parallel: true, chunkBytes);

        Assert.Equal(truth.Rows + 2, single.Stats.Rows);
        Assert.Equal(1, single.Stats.DamagedFields);
        Assert.Equal(single.Stats.DamagedFields, parallel.Stats.DamagedFields);
        Assert.Equal(["utf-8"], single.Stats.Encodings.Keys);
        Assert.Equal(single.Stats.Encodings, parallel.Stats.Encodings);
        Assert.Equal((single.Stats.Identifiers.Total, single.Stats.Identifiers.RowsWithSeveral, single.Stats.Identifiers.PerRow),
            (parallel.Stats.Identifiers.Total, parallel.Stats.Identifiers.RowsWithSeveral, parallel.Stats.Identifiers.PerRow));
        Assert.Equal(single.Stats.Rows, parallel.Stats.Rows);
        Assert.Equal(single.Stats.DuplicateRows, parallel.Stats.DuplicateRows);
        Assert.Equal(single.Stats.Accounts, parallel.Stats.Accounts);
        Assert.Equal((single.Stats.Invalid.Email, single.Stats.Invalid.Phone, single.Stats.Invalid.Birthdate),
            (parallel.Stats.Invalid.Email, parallel.Stats.Invalid.Phone, parallel.Stats.Invalid.Birthdate));
        Assert.Equal((single.Stats.Distinct.Email, single.Stats.Distinct.Phone), (parallel.Stats.Distinct.Email, parallel.Stats.Distinct.Phone));
        Assert.Equal(single.Stats.DataClasses, parallel.Stats.DataClasses);
        Assert.Equal(single.Stats.Files, parallel.Stats.Files);
        Assert.Equal(1, single.Stats.Problems.Count);
        Assert.Equal(single.Stats.Problems.Count, parallel.Stats.Problems.Count);
        Assert.Equal(single.Stats.Problems.First, parallel.Stats.Problems.First);
        Assert.Equal(single.Stats.IndexEntries, parallel.Stats.IndexEntries);
        Assert.Equal(single.Report, parallel.Report);
        Assert.Equal(single.Index, parallel.Index);
    }

    private (IngestStats Stats, string Report, byte[] Index) Ingest(string name, string dump, KeyFile keys, bool parallel, int chunkBytes)
    {
        var store = new ExposureIndexStore(Path.Combine(_temp, name));
        var stats = new IngestPipeline(store, keys).Run(dump, new IngestOptions
        {
            BreachName = "Same",
            BreachDate = new DateOnly(2020, 1, 1),
            Parse = parallel ? ParseMode.Parallel : ParseMode.SingleReader,
            Workers = 2,
            SortMemoryMegabytes = 4, // small sort buffers: runs spill to disk and merge, as in large ingests
            Reader = new ReaderOptions { ParallelChunkBytes = chunkBytes },
        });
        var manifest = store.ReadManifest();
        var index = File.ReadAllBytes(Path.Combine(store.DataDir, manifest.Index!));
        return (stats, ReportJson.Serialize(stats.Report!), index);
    }
}
