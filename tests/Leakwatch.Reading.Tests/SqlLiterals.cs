using System.Text;

namespace Leakwatch.Reading.Tests;

/// <summary>Writes values as mysqldump and pg_dump write them, for tests that build dumps.</summary>
internal static class SqlLiterals
{
    /// <summary>A MySQL string literal as mysqldump escapes it (backslashes; a quote as \' or, when
    /// <paramref name="doubled"/>, as '').</summary>
    public static string MySql(string value, bool doubled = false)
    {
        var sb = new StringBuilder("'");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => doubled ? "''" : "\\'",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => "\\r",
                '\0' => "\\0",
                '\x1A' => "\\Z",
                _ => c.ToString(),
            });
        }

        return sb.Append('\'').ToString();
    }

    /// <summary>A COPY text-format field as pg_dump writes it.</summary>
    public static string PgCopy(string? value)
    {
        if (value is null)
        {
            return "\\N";
        }

        var sb = new StringBuilder();
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    public static string Hex(string value) => Convert.ToHexString(Encoding.UTF8.GetBytes(value));
}
