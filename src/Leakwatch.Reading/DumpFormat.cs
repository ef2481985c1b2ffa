namespace Leakwatch.Reading;

public enum DumpFormat
{
    /// <summary>Sniff per file: a SQL dump's first statement or banner → SQL, '[' → JSON array, '{' → JSON Lines,
    /// else delimited.</summary>
    Auto = 0,
    Delimited,
    /// <summary>JSON: JSON Lines, or one top-level array of objects when the first non-blank character is '['.</summary>
    JsonLines,
    /// <summary>mysqldump INSERT statements and pg_dump COPY blocks (<see cref="SqlDumpReader"/>).</summary>
    Sql,
    /// <summary>Stealer-log lines, <c>URL:login:password</c> and its variants (<see cref="Ulp.UlpLineParser"/>); never
    /// sniffed: a colon-separated dump looks the same.</summary>
    Ulp,
}
