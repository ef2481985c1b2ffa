using System.Collections.Concurrent;
using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Reading;
using Leakwatch.Storage;

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

    /// <summary>Set for a stealer-log ingest: rows carry a password and a website, and bad lines are counted by reason.</summary>
    public Stealer.UlpStats? Ulp { get; init; }

    public int FileCount { get; private set; }

    /// <summary>A stealer-log line is seldom shorter than this (URL, login and password): the input's size over it is
    /// a generous estimate of its lines, for sizing buffers up front.</summary>
    private const int EstimatedUlpLineBytes = 48;

    /// <summary>A stealer-log ingest sizes each thread's buffers for its share of the lines the input's size suggests,
    /// instead of doubling them as the lines come: each doubling copies the buffer and touches fresh pages, and page
    /// faults are dear. Buffers are allocated uninitialized, so what the estimate overshoots is never touched.</summary>
    private void ReserveForStealerLog()
    {
        if (Ulp is null || _totalBytes <= 0)
        {
            return;
        }

        var lines = _totalBytes / EstimatedUlpLineBytes;
        var share = lines / _workers.Length + 1;
        foreach (var s in _workers)
        {
            s.Emails.Reserve(share);
            s.RowFingerprints.Reserve(share);
            s.Ulp?.Reserve(share, lines);
        }
    }

    /// <summary>Files start one at a time (on the scanning thread, or on a parsing thread while it waits).</summary>
    private void CountFile(DumpFileInfo file)
    {
        FileCount++;
        _stats.Encodings[file.Encoding] = _stats.Encodings.GetValueOrDefault(file.Encoding) + 1;
    }

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

    /// <summary>The fields the workers need (every email column and every phone column, joined), and which column
    /// roles hold any value.</summary>
    /// <returns>The row's damaged fields: values holding bytes their encoding could not map, which are left out.</returns>
    private int CopyRow(RowBatch b, DumpRow row, bool[] rolesWithValues)
    {
        if (Ulp is not null)
        {
            // The login, website and password: whole values, never split into cells.
            b.PutDigest(EphemeralHasher.Digest(row.Raw));
            b.Put(RowBatch.Email, row[Reading.Ulp.UlpColumns.Login]);
            b.Put(RowBatch.Website, row[Reading.Ulp.UlpColumns.Website]);
            b.Put(RowBatch.Password, row[Reading.Ulp.UlpColumns.Password]);
            b.Count++;
            rolesWithValues[(int)FieldRole.Password] = true;
            return 0;
        }

        // One vectorised pass over the row tells whether any field needs a closer look.
        var suspect = DumpRow.IsDamaged(row.Raw);
        var map = row.Map;
        b.PutDigest(EphemeralHasher.Digest(row.Raw));
        PutCells(b, RowBatch.Email, row, map.All(FieldRole.Email), suspect);
        PutCells(b, RowBatch.Phone, row, map.All(FieldRole.Phone), suspect);
        PutCell(b, RowBatch.BirthDate, row, map.First(FieldRole.BirthDate), suspect);
        PutCell(b, RowBatch.Gender, row, map.First(FieldRole.Gender), suspect);
        b.Count++;
        var damaged = 0;
        var cols = map.Columns;
        for (var i = 0; i < cols.Count; i++)
        {
            var role = cols[i].Role;
            if (suspect || !rolesWithValues[(int)role])
            {
                var value = row[i];
                if (suspect && DumpRow.IsDamaged(value))
                {
                    damaged++;
                }
                else if (!value.IsEmpty)
                {
                    rolesWithValues[(int)role] = true;
                }
            }
        }

        return damaged;
    }

    private static void PutCell(RowBatch b, int field, DumpRow row, int column, bool suspect)
    {
        var value = column < 0 ? default : row[column];
        b.Put(field, suspect && DumpRow.IsDamaged(value) ? default : value);
    }

    /// <summary>The values of <paramref name="columns"/> as one batch field, damaged values left out.</summary>
    private static void PutCells(RowBatch b, int field, DumpRow row, ReadOnlySpan<int> columns, bool suspect)
    {
        b.Put(field, default);
        foreach (var column in columns)
        {
            var value = row[column];
            if (!value.IsEmpty && !(suspect && DumpRow.IsDamaged(value)))
            {
                b.Append(field, value);
            }
        }
    }

    /// <summary>A stealer-log line: the password is hashed into the password store whatever the login; an email
    /// login is indexed and its website recorded; a username is counted and skipped.</summary>
    private static void ProcessStealerLine(WorkerState s, Stealer.UlpWorker ulp, RowBatch batch, int r, Span<char> email)
    {
        ulp.Passwords.Add(batch.Get(r, RowBatch.Password));
        var login = batch.Get(r, RowBatch.Email);
        var hasIdentifier = false;
        if (EmailNormalizer.TryNormalize(login, email, out var n))
        {
            var key = AddEmail(s, email[..n]);
            ulp.AddSite(key, email[..n], batch.Get(r, RowBatch.Website));
            hasIdentifier = true;
        }
        else if (login.Contains('@'))
        {
            ulp.InvalidEmails++;
            s.InvalidEmail++;
            s.Analysis.AddInvalidEmail();
        }
        else
        {
            ulp.UsernamesSkipped++;
        }

        var fp = Index.IndexKeys.Truncate(s.RowHasher.Fingerprint(batch.RowDigests[r]));
        s.RowFingerprints.Add((fp & ~KeySorting.HasIdentifier) | (hasIdentifier ? KeySorting.HasIdentifier : UInt128.Zero));
    }

    /// <summary>A valid, normalized email: keyed into the index's keys, and handed to the private spill, the domain
    /// store's delta, the analysis and the domain-alert tally.</summary>
    private static UInt128 AddEmail(WorkerState s, ReadOnlySpan<char> email)
    {
        var key = s.Hasher.HashEmail(email);
        s.Emails.Add(key);
        s.Spill?.AddEmail(key, email);
        s.Domains?.Add(email);
        s.Analysis.AddEmail(email);
        s.ValidEmails++;
        s.DomainTally?.Add(email, key);
        return key;
    }

    private void Process(WorkerState s, RowBatch batch)
    {
        if (s.Ulp is { } ulp)
        {
            Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
            for (var r = 0; r < batch.Count; r++)
            {
                ProcessStealerLine(s, ulp, batch, r, email);
            }

            return;
        }

        ProcessRows(s, batch);
    }

    private void ProcessRows(WorkerState s, RowBatch batch)
    {
        Span<char> email = stackalloc char[EmailNormalizer.MaxLength];
        for (var r = 0; r < batch.Count; r++)
        {
            var identifiers = 0;
            foreach (var e in IdentifierCells.Emails(batch.Get(r, RowBatch.Email)))
            {
                if (EmailNormalizer.TryNormalize(e, email, out var n))
                {
                    AddEmail(s, email[..n]);
                    identifiers++;
                }
                else
                {
                    s.InvalidEmail++;
                    s.Analysis.AddInvalidEmail();
                }
            }

            foreach (var p in IdentifierCells.Phones(batch.Get(r, RowBatch.Phone)))
            {
                if (s.PhoneNormalizer.TryNormalize(p, out var e164))
                {
                    var key = s.Hasher.HashPhone(e164);
                    s.Phones.Add(key);
                    s.Spill?.AddPhone(key, e164);
                    s.Analysis.AddPhone(e164);
                    s.ValidPhones++;
                    identifiers++;
                }
                else
                {
                    s.InvalidPhone++;
                    s.Analysis.AddInvalidPhone(p);
                }
            }

            if (identifiers > 1)
            {
                s.RowsWithSeveralIdentifiers++;
            }

            var hasIdentifier = identifiers > 0;

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

            // 80 bits like an index key (collisions among 1.2B rows: expected 1e-6), so a spilled run takes 8 bytes a row.
            var fp = Index.IndexKeys.Truncate(s.RowHasher.Fingerprint(batch.RowDigests[r]));
            s.RowFingerprints.Add((fp & ~KeySorting.HasIdentifier) | (hasIdentifier ? KeySorting.HasIdentifier : UInt128.Zero));
        }

        // Once a run is on disk, a kill here leaves the read phase's own leftovers in tmp/.
        if (s.Emails.SpilledRuns > 0)
        {
            TestKillPoint.Reached("reading");
            IngestPauseHook.Reached("reading", _ct);
        }
    }
}
