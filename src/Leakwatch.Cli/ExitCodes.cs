using Leakwatch.Core.Errors;

namespace Leakwatch.Cli;

/// <summary>Exit codes, documented in the README's "Exit codes" table; <see cref="For"/> is the one place an
/// error's kind becomes a code.</summary>
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
    /// <summary>The state store (`--state`, PostgreSQL) cannot be reached (sysexits' EX_UNAVAILABLE).</summary>
    public const int StateUnavailable = 69;
    public const int Interrupted = 130;
    public const int Internal = 70;

    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.Usage => Usage,
        ErrorKind.BadInput => BadInput,
        ErrorKind.DataDir => DataDir,
        ErrorKind.NotFound => NotFound,
        ErrorKind.Interrupted => Interrupted,
        ErrorKind.StateUnavailable => StateUnavailable,
        _ => Internal,
    };
}
