namespace Leakwatch.Reading;

public enum DumpFormat
{
    /// <summary>Sniff per file: first non-blank character '{' → JSON Lines, else delimited.</summary>
    Auto = 0,
    Delimited,
    JsonLines,
}
