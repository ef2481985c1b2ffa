namespace Leakwatch.Synthetic;

/// <summary>The on-disk shape of a generated dump.</summary>
public enum DumpShape
{
    /// <summary>Comma-separated with a header row, phones in mixed international formats, dob ISO or M/D/Y.</summary>
    Csv,

    /// <summary>Headerless colon-separated lines like the 2021 533M scrape: phone as country-code digits, dob M/D/YYYY.</summary>
    Colon,

    /// <summary>One JSON object per line with the CSV column names as keys.</summary>
    JsonLines,
}
