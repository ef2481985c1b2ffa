using Leakwatch.Core;
using Leakwatch.Privacy;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Private;

/// <summary>Reads a dump again for `private build` and `keys rotate-oprf`: the same normalizers and keyed hasher as
/// ingest, each valid identifier appended to the spill. Runs on the reader thread; the OPRF that follows dominates.</summary>
internal sealed class PrivateSourceSpiller : IDumpRowSink
{
    private readonly IdentifierHasher _hasher;
    private readonly PhoneNormalizer _phones;
    private readonly PrivateSpillWriter _writer;
    private readonly Action<long>? _progress;
    private readonly char[] _email = new char[EmailNormalizer.MaxLength];

    public PrivateSourceSpiller(IdentifierHasher hasher, PhoneNormalizer phones, PrivateSpillWriter writer, Action<long>? progress)
    {
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
                    _writer.AddEmail(_hasher.HashEmail(email), email);
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
                    _writer.AddPhone(_hasher.HashPhone(e164), e164);
                }
            }
        }
    }

    public void OnProblem(RowProblem problem)
    {
    }
}
