using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Private;

/// <summary>Reads a dump again for `private build` and `keys rotate-oprf`: the same normalizers and keyed hasher as
/// ingest, each valid identifier appended to the spill (or only those <c>keep</c> accepts by exposure-index key, when a
/// listing change re-indexes one breach's members). Runs on the reader thread; the OPRF that follows dominates.</summary>
internal sealed class PrivateSourceSpiller : IDumpRowSink
{
    private readonly IdentifierHasher _hasher;
    private readonly PhoneNormalizer _phones;
    private readonly PrivateSpillWriter _writer;
    private readonly Action<long>? _progress;
    private readonly Func<UInt128, bool>? _keep;
    private readonly char[] _email = new char[EmailNormalizer.MaxLength];

    public PrivateSourceSpiller(IdentifierHasher hasher, PhoneNormalizer phones, PrivateSpillWriter writer, Action<long>? progress,
        Func<UInt128, bool>? keep = null)
    {
        _keep = keep;
        _hasher = hasher;
        _phones = phones;
        _writer = writer;
        _progress = progress;
    }

    public long Rows { get; private set; }

    public void OnFileStart(DumpFileInfo file, ColumnMap map)
    {
    }

    public void OnRow(DumpRow row)
    {
        if ((++Rows & 0xFFFF) == 0)
        {
            _progress?.Invoke(Rows);
        }

        // As ingest reads a row (IngestSink): every email and phone column, cells split, damaged values left out.
        var suspect = DumpRow.IsDamaged(row.Raw);
        foreach (var column in row.Map.All(FieldRole.Email))
        {
            var cell = row[column];
            if (suspect && DumpRow.IsDamaged(cell))
            {
                continue;
            }

            foreach (var e in IdentifierCells.Emails(cell))
            {
                if (EmailNormalizer.TryNormalize(e, _email, out var n))
                {
                    var email = _email.AsSpan(0, n);
                    var key = _hasher.HashEmail(email);
                    if (_keep is null || _keep(key))
                    {
                        _writer.AddEmail(key, email);
                    }
                }
            }
        }

        foreach (var column in row.Map.All(FieldRole.Phone))
        {
            var cell = row[column];
            if (suspect && DumpRow.IsDamaged(cell))
            {
                continue;
            }

            foreach (var p in IdentifierCells.Phones(cell))
            {
                if (_phones.TryNormalize(p, out var e164))
                {
                    var key = _hasher.HashPhone(e164);
                    if (_keep is null || _keep(key))
                    {
                        _writer.AddPhone(key, e164);
                    }
                }
            }
        }
    }

    public void OnProblem(RowProblem problem)
    {
    }
}
