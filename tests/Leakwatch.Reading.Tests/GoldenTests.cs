using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Leakwatch.Reading;

namespace Leakwatch.Reading.Tests;

/// <summary>Reads small inputs from Golden/ and compares what the sink receives with Golden/&lt;case&gt;.expected.txt.
/// Set LEAKWATCH_UPDATE_GOLDEN=1 to rewrite the expected files (then review them).</summary>
public sealed class GoldenTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("leakwatch-golden-").FullName;

    public static TheoryData<string> Cases =>
    [
        "csv_header", "semicolon", "tab", "pipe", "colon_533m", "colon_533m_columns", "people_jsonl",
        "csv_header_gz", "csv_header_zst", "quoted", "bom_crlf", "directory", "mysqldump_small",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_GoldenInput_MatchesExpected(string name)
    {
        var (path, options) = Prepare(name);
        var sink = new RecordingSink(f => Path.GetRelativePath(Path.GetDirectoryName(path)!, f).Replace('\\', '/'));
        DumpReader.Read(path, options, sink);
        var actual = sink.Text.ToString();
        var expectedPath = Path.Combine(GoldenDir(), name + ".expected.txt");
        if (Environment.GetEnvironmentVariable("LEAKWATCH_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, actual);
            // A test that compares a file with itself proves nothing: the run that writes it must not pass.
            Assert.Fail("golden file regenerated; review it and rerun without LEAKWATCH_UPDATE_GOLDEN");
        }

        Assert.True(File.Exists(expectedPath), $"missing {expectedPath}; run with LEAKWATCH_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    private (string Path, ReaderOptions Options) Prepare(string name)
    {
        var golden = GoldenDir();
        string Copy(string file)
        {
            var target = Path.Combine(_temp, file);
            File.Copy(Path.Combine(golden, file), target);
            return target;
        }

        switch (name)
        {
            case "csv_header": return (Copy("csv_header.csv"), ReaderOptions.Default);
            case "semicolon": return (Copy("semicolon.csv"), ReaderOptions.Default);
            case "mysqldump_small": return (Copy("mysqldump_small.sql"), ReaderOptions.Default);
            case "tab": return (Copy("tab.tsv"), ReaderOptions.Default);
            case "pipe": return (Copy("pipe.txt"), ReaderOptions.Default);
            case "colon_533m": return (Copy("colon_533m.txt"), ReaderOptions.Default);
            case "colon_533m_columns":
                return (Copy("colon_533m.txt"), new ReaderOptions
                {
                    Delimiter = ':',
                    Columns = ["phone", "uid", "first_name", "last_name", "gender", "current_city", "hometown", "relationship_status", "workplace", "email", "joined"],
                });
            case "people_jsonl": return (Copy("people.jsonl"), ReaderOptions.Default);
            case "quoted": return (Copy("quoted.csv"), ReaderOptions.Default);
            case "csv_header_gz":
                {
                    var target = Path.Combine(_temp, "csv_header.csv.gz");
                    using (var gz = new GZipStream(File.Create(target), CompressionLevel.Fastest))
                    {
                        gz.Write(File.ReadAllBytes(Path.Combine(golden, "csv_header.csv")));
                    }

                    return (target, ReaderOptions.Default);
                }
            case "csv_header_zst":
                {
                    var target = Path.Combine(_temp, "csv_header.dat");
                    using (var file = File.Create(target))
                    using (var z = new ZstdSharp.CompressionStream(file, 3))
                    {
                        z.Write(File.ReadAllBytes(Path.Combine(golden, "csv_header.csv")));
                    }

                    return (target, ReaderOptions.Default);
                }
            case "bom_crlf":
                {
                    var target = Path.Combine(_temp, "bom_crlf.csv");
                    var text = File.ReadAllText(Path.Combine(golden, "quoted.csv")).Replace("\n", "\r\n");
                    File.WriteAllBytes(target, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)]);
                    return (target, ReaderOptions.Default);
                }
            case "directory":
                {
                    var dir = Path.Combine(_temp, "dump");
                    Directory.CreateDirectory(Path.Combine(dir, "part2"));
                    Directory.CreateDirectory(Path.Combine(dir, ".git"));
                    File.Copy(Path.Combine(golden, "semicolon.csv"), Path.Combine(dir, "b.csv"));
                    File.Copy(Path.Combine(golden, "pipe.txt"), Path.Combine(dir, "part2", "a.txt"));
                    File.Copy(Path.Combine(golden, "people.jsonl"), Path.Combine(dir, "a.jsonl"));
                    File.WriteAllText(Path.Combine(dir, "README.md"), "# not a dump\n");
                    File.WriteAllText(Path.Combine(dir, "b.csv.sha256"), "abc  b.csv\n");
                    File.WriteAllText(Path.Combine(dir, ".hidden.csv"), "email\nx@example.com\n");
                    File.WriteAllText(Path.Combine(dir, ".git", "config"), "email\ny@example.com\n");
                    File.WriteAllText(Path.Combine(dir, "empty.csv"), "");
                    return (dir, ReaderOptions.Default);
                }
            default: throw new ArgumentOutOfRangeException(nameof(name));
        }
    }

    private static string GoldenDir([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
