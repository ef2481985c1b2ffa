namespace Leakwatch.Core.Errors;

/// <summary>What went wrong, as a person running Leakwatch needs to know it. Each kind maps to one exit code
/// (the README's table); the map lives in one place, the CLI's <c>ExitCodes.For</c>.</summary>
public enum ErrorKind
{
    /// <summary>A command line, option value or account that cannot be used as given.</summary>
    Usage,
    /// <summary>The input dump (or password file) is unusable; the message names the file and line.</summary>
    BadInput,
    /// <summary>The data dir, an index, a store or the key file is missing, corrupt, mismatched or locked.</summary>
    DataDir,
    /// <summary>A named thing (a breach, a key) does not exist.</summary>
    NotFound,
    /// <summary>The user interrupted the command (Ctrl-C); nothing published was changed.</summary>
    Interrupted,
    /// <summary>The shared state store (PostgreSQL) cannot be reached; the message names its host and port.</summary>
    StateUnavailable,
}
