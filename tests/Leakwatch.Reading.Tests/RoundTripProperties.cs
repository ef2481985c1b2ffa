using System.Text;
using FsCheck.Xunit;
using Leakwatch.Reading;
using nietras.SeparatedValues;

namespace Leakwatch.Reading.Tests;

public sealed class RoundTripProperties
{
    private static string Clean(string? s)
    {
        if (s is null)
        {
            return "";
        }

        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                sb.Append(c).Append(s[i + 1]);
                i++;
            }
            else
            {
                sb.Append(c == '\0' || char.IsSurrogate(c) ? 'x' : c);
            }
        }

        return sb.ToString();
    }

    [Property(MaxTest = 200)]
    public bool Read_CsvWrittenBySep_ReadsBackOriginalValues(string[][] table, bool tabs)
    {
        var delimiter = tabs ? '\t' : ',';
        var rows = table.Select((r, i) => new[] { $"u{i}@example.com", Clean(r.ElementAtOrDefault(0)), Clean(r.ElementAtOrDefault(1)) + "\"\n,é😀", Clean(r.ElementAtOrDefault(2)) }).ToArray();
        var path = Path.GetTempFileName();
        try
        {
            using (var writer = Sep.Writer(o => o with { Sep = new Sep(delimiter), Escape = true, WriteHeader = false }).ToFile(path))
            {
                foreach (var r in rows)
                {
                    using var w = writer.NewRow();
                    for (var c = 0; c < r.Length; c++)
                    {
                        w[c].Set(r[c]);
                    }
                }
            }

            var sink = new RecordingSink();
            if (rows.Length == 0)
            {
                return true;
            }

            DumpReader.Read(path, new ReaderOptions { Delimiter = delimiter, Columns = ["email", "a", "b", "c"] }, sink);
            return sink.Problems.Count == 0
                && sink.Rows.Count == rows.Length
                && sink.Rows.Select(r => r.Values).Zip(rows).All(p => p.First.SequenceEqual(p.Second.Select(v => v.Trim())));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
