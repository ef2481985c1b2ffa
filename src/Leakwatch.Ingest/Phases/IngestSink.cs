using System.Collections.Concurrent;
using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Phases;

/// <summary>Reader-thread side: copies each row's fields into batches and feeds the workers. In parallel
/// mode (<see cref="IParallelDumpSink"/>) every parsing thread fills its own batch and processes it itself
/// with its own <see cref="WorkerState"/>.</summary>
internal sealed partial class IngestSink : IDumpRowSink, IParallelDumpSink
{
    private readonly WorkerState[] _workers;
    private readonly IngestStats _stats;
    private readonly IProgress<IngestProgress>? _progress;
    private readonly long _totalBytes;
    private readonly CancellationToken _ct;
    private readonly BlockingCollection<RowBatch> _full = new(boundedCapacity: 8);
    private readonly ConcurrentBag<RowBatch> _free = [];
    private RowBatch _current = new();
    private long _bytesRead;
    private long _lastReport;
    private readonly bool[] _rolesWithValues = new bool[Enum.GetValues<FieldRole>().Length];

    public IngestSink(WorkerState[] workers, IngestStats stats, IProgress<IngestProgress>? progress, long totalBytes, CancellationToken ct)
    {
        _workers = workers;
        _stats = stats;
        _progress = progress;
        _totalBytes = totalBytes;
        _ct = ct;
    }

    public HashSet<string> SeenClasses { get; } = [];

    public int FileCount { get; private set; }

    private void AddSeenClasses(bool[] rolesWithValues)
    {
        for (var r = 0; r < rolesWithValues.Length; r++)
        {
            var role = (FieldRole)r;
            if (rolesWithValues[r] && role is not (FieldRole.Email or FieldRole.Phone) && DataClass.For(role) is { } dc)
            {
                SeenClasses.Add(dc);
            }
        }
    }

    private static string Describe(RowProblem problem) =>
        problem.LineNumber > 0 ? $"{problem.FileName}:{problem.LineNumber}: {problem.Message}" : $"{problem.FileName}: {problem.Message}";

    /// <summary>The fields the workers need, and which column roles hold any value.</summary>
    private static void CopyRow(RowBatch b, DumpRow row, bool[] rolesWithValues)
    {
        b.PutDigest(EphemeralHasher.Digest(row.Raw));
        b.Put(RowBatch.Email, row.Get(FieldRole.Email));
        b.Put(RowBatch.Phone, row.Get(FieldRole.Phone));
        b.Put(RowBatch.BirthDate, row.Get(FieldRole.BirthDate));
        b.Put(RowBatch.Gender, row.Get(FieldRole.Gender));
        b.Count++;
        var cols = row.Map.Columns;
        for (var i = 0; i < cols.Count; i++)
        {
            var role = cols[i].Role;
            if (!rolesWithValues[(int)role] && !row[i].IsEmpty)
            {
                rolesWithValues[(int)role] = true;
            }
        }
    }

    private void Process(WorkerState s, RowBatch batch)
    {
        Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
        for (var r = 0; r < batch.Count; r++)
        {
            var hasIdentifier = false;
            var e = batch.Get(r, RowBatch.Email);
            if (!e.IsEmpty)
            {
                if (EmailNormalizer.TryNormalize(e, email, out var n))
                {
                    var key = s.Hasher.HashEmail(email[..n]);
                    s.Emails.Add(key);
                    s.Spill?.AddEmail(key, email[..n]);
                    s.Analysis.AddEmail(email[..n]);
                    s.ValidEmails++;
                    hasIdentifier = true;
                }
                else
                {
                    s.InvalidEmail++;
                    s.Analysis.AddInvalidEmail();
                }
            }

            var p = batch.Get(r, RowBatch.Phone);
            if (!p.IsEmpty)
            {
                if (s.PhoneNormalizer.TryNormalize(p, out var e164))
                {
                    var key = s.Hasher.HashPhone(e164);
                    s.Phones.Add(key);
                    s.Spill?.AddPhone(key, e164);
                    s.Analysis.AddPhone(e164);
                    s.ValidPhones++;
                    hasIdentifier = true;
                }
                else
                {
                    s.InvalidPhone++;
                    s.Analysis.AddInvalidPhone(p);
                }
            }

            var d = batch.Get(r, RowBatch.BirthDate);
            if (!d.IsEmpty)
            {
                if (BirthDateParser.TryParse(d, s.DateOrder, s.Today, out var born))
                {
                    s.Analysis.AddBirthDate(born);
                }
                else
                {
                    s.InvalidBirthdate++;
                    s.Analysis.AddInvalidBirthDate();
                }
            }

            var g = batch.Get(r, RowBatch.Gender);
            if (!g.IsEmpty)
            {
                s.Analysis.AddGender(GenderNormalizer.Parse(g));
            }

            var fp = s.RowHasher.Fingerprint(batch.RowDigests[r]);
            s.RowFingerprints.Add((fp & ~(UInt128)1) | (hasIdentifier ? 1u : 0u));
        }

        // Once a run is on disk, a kill here leaves the read phase's own leftovers in tmp/.
        if (s.Emails.SpilledRuns > 0)
        {
            IngestKillHook.Reached(IngestKillHook.Reading);
            IngestPauseHook.Reached(IngestKillHook.Reading, _ct);
        }
    }
}
