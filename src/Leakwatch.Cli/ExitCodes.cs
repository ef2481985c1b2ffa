namespace Leakwatch.Cli;

/// <summary>Exit codes, documented in the README.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>`check`: at least one account was found in a breach.</summary>
    public const int Found = 1;
    public const int Usage = 2;
    /// <summary>The input dump or an argument value is unusable.</summary>
    public const int BadInput = 3;
    /// <summary>The data dir, index or key file is missing, corrupt, mismatched or busy.</summary>
    public const int DataDir = 4;
    public const int NotFound = 5;
    public const int Interrupted = 130;
    public const int Internal = 70;
}
