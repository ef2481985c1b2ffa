namespace Leakwatch.Reading.Ulp;

/// <summary>Why a stealer-log line was skipped; each reason is counted on its own (<see cref="UlpLineParser.ReasonName"/>).</summary>
public enum UlpProblem : byte
{
    None = 0,
    /// <summary>Fewer than the two separators a URL, a login and a password need.</summary>
    NoSeparator,
    /// <summary>The login field is empty.</summary>
    NoLogin,
    /// <summary>The password field is empty.</summary>
    EmptyPassword,
    /// <summary>No field is a URL or host name.</summary>
    NoUrl,
    /// <summary>Control bytes, NUL bytes or invalid UTF-8: not text.</summary>
    Binary,
    /// <summary>Longer than <see cref="UlpLineParser.MaxLineBytes"/>.</summary>
    TooLong,
}
