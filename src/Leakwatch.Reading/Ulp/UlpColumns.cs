namespace Leakwatch.Reading.Ulp;

/// <summary>The columns of a stealer-log row (<see cref="DumpFormat.Ulp"/>).</summary>
public static class UlpColumns
{
    /// <summary>The login as written (an email or a username); the column's role is Email.</summary>
    public const int Login = 0;

    /// <summary>The website domain, normalized (<see cref="UlpLineParser.WriteDomain"/>).</summary>
    public const int Website = 1;

    /// <summary>The password as written.</summary>
    public const int Password = 2;
}
