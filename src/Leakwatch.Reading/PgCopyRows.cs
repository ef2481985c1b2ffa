using System.Text;

namespace Leakwatch.Reading;

/// <summary>The data lines of one pg_dump <c>COPY … FROM stdin</c> block: tab-separated fields in column order.</summary>
internal readonly struct PgCopyRows(SqlFieldWriter writer, IDumpRowSink sink, string file, int[] perm)
{
    public void Row(ReadOnlySpan<byte> data, long line)
    {
        var row = writer.Row;
        row.Begin(line);
        var fields = 0;
        var rest = data;
        while (true)
        {
            var tab = rest.IndexOf((byte)'\t');
            var field = tab < 0 ? rest : rest[..tab];
            writer.CopyField(field, fields < perm.Length ? perm[fields] : -1);
            fields++;
            if (tab < 0)
            {
                break;
            }

            rest = rest[(tab + 1)..];
        }

        if (fields != perm.Length)
        {
            sink.OnProblem(new RowProblem(file, line, $"COPY line has {fields} fields for {perm.Length} columns"));
            return;
        }

        row.SetRawLength(Encoding.UTF8.GetChars(data, row.RawBuffer(data.Length)));
        sink.OnRow(row);
    }
}
