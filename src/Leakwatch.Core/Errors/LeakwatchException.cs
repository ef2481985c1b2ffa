namespace Leakwatch.Core.Errors;

/// <summary>The one base of every error Leakwatch expects and explains: a one-line message fit for a person
/// (never an identifier) and the <see cref="ErrorKind"/> that decides the exit code.</summary>
public class LeakwatchException : Exception
{
    public LeakwatchException(ErrorKind kind, string message) : base(message) => Kind = kind;

    public LeakwatchException(ErrorKind kind, string message, Exception inner) : base(message, inner) => Kind = kind;

    public ErrorKind Kind { get; }
}
