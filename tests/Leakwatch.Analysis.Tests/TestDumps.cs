using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Reading;
using Leakwatch.Synthetic;

namespace Leakwatch.Analysis.Tests;

/// <summary>Synthetic dumps whose truth is known, generated once per test run.</summary>
internal static class TestDumps
{
    public static readonly DateOnly Today = new(2026, 11, 1);

    private static readonly string Root = Directory.CreateTempSubdirectory("leakwatch-analysis-tests-").FullName;

    private static readonly Lazy<(string Path, GeneratorTruth Truth)> CsvDump = new(() => Make("csv20k.csv", new GeneratorOptions(20_000, 11)));

    private static readonly Lazy<(string Path, GeneratorTruth Truth)> SmallDump = new(() => Make("small.csv", new GeneratorOptions(3_000, 5) { PlantedRunLength = 150 }));

    /// <summary>20,000 CSV rows, planted run of 500.</summary>
    public static (string Path, GeneratorTruth Truth) Csv20k => CsvDump.Value;

    /// <summary>3,000 CSV rows, planted run of 150: for reports built many times.</summary>
    public static (string Path, GeneratorTruth Truth) Small => SmallDump.Value;

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string WriteCsv(string name, string content)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (string, GeneratorTruth) Make(string name, GeneratorOptions options)
    {
        var path = Path.Combine(Root, name);
        var truth = DumpGenerator.Generate(options, path, collectIdentifiers: true);
        return (path, truth);
    }
}

/// <summary>
/// What the ingest pipeline does for the report, without the index: every row normalized once with the shared
/// normalizers, fed round-robin to several accumulators (as workers would be) and merged; exact counts with the
/// README's definitions. Also records every raw identifier as given, for the privacy scans.
/// </summary>
internal sealed class FullScan : IDumpRowSink
{
    private readonly AnalysisAccumulator[] _workers;
    private readonly PhoneNormalizer _phones;
    private readonly DateOrder _order;
    private readonly HashSet<UInt128> _rows = [];
    private int _turn;

    public FullScan(AnalysisOptions options, int workers = 2, DateOrder order = DateOrder.Auto)
    {
        _workers = new AnalysisAccumulator[workers];
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = new AnalysisAccumulator(options);
        }

        _phones = new PhoneNormalizer(options.DefaultRegion);
        _order = order;
    }

    public long Rows, DuplicateRows, InvalidEmail, InvalidPhone, InvalidBirthdate;
    public readonly HashSet<string> Emails = new(StringComparer.Ordinal);
    public readonly HashSet<ulong> Phones = [];
    public readonly HashSet<string> RawIdentifiers = new(StringComparer.Ordinal);

    public static (FullScan Scan, AnalysisAccumulator Merged) Run(string path, AnalysisOptions? options = null, int workers = 2)
    {
        var scan = new FullScan(options ?? new AnalysisOptions { TempDirectory = TestDumps.TempDir("spill") }, workers);
        DumpReader.Read(path, ReaderOptions.Default, scan);
        var merged = scan._workers[0];
        for (var i = 1; i < scan._workers.Length; i++)
        {
            merged.Merge(scan._workers[i]);
            scan._workers[i].Dispose();
        }

        return (scan, merged);
    }

    public ReportInputs Inputs(AnalysisAccumulator merged) => new()
    {
        Rows = Rows,
        DuplicateRows = DuplicateRows,
        InvalidEmail = InvalidEmail,
        InvalidPhone = InvalidPhone,
        InvalidBirthdate = InvalidBirthdate,
        DistinctEmail = Emails.Count,
        DistinctPhone = Phones.Count,
        Analysis = merged,
    };

    public void OnFileStart(DumpFileInfo file, ColumnMap map)
    {
    }

    public void OnProblem(RowProblem problem)
    {
    }

    public void OnRow(DumpRow row)
    {
        Rows++;
        if (!_rows.Add(EphemeralHasher.Digest(row.Raw)))
        {
            DuplicateRows++;
        }

        var acc = _workers[_turn];
        _turn = (_turn + 1) % _workers.Length;
        Span<char> buffer = stackalloc char[EmailNormalizer.MaxLength];
        var email = row.Get(FieldRole.Email);
        if (!email.IsEmpty)
        {
            RawIdentifiers.Add(email.ToString());
            if (EmailNormalizer.TryNormalize(email, buffer, out var n))
            {
                acc.AddEmail(buffer[..n]);
                Emails.Add(new string(buffer[..n]));
            }
            else
            {
                acc.AddInvalidEmail();
                InvalidEmail++;
            }
        }

        var phone = row.Get(FieldRole.Phone);
        if (!phone.IsEmpty)
        {
            RawIdentifiers.Add(phone.ToString());
            if (_phones.TryNormalize(phone, out var e164))
            {
                acc.AddPhone(e164);
                Phones.Add(e164);
            }
            else
            {
                acc.AddInvalidPhone(phone);
                InvalidPhone++;
            }
        }

        var date = row.Get(FieldRole.BirthDate);
        if (!date.IsEmpty)
        {
            if (BirthDateParser.TryParse(date, _order, TestDumps.Today, out var d))
            {
                acc.AddBirthDate(d);
            }
            else
            {
                acc.AddInvalidBirthDate();
                InvalidBirthdate++;
            }
        }

        var gender = row.Get(FieldRole.Gender);
        if (!gender.IsEmpty)
        {
            acc.AddGender(GenderNormalizer.Parse(gender));
        }
    }
}
