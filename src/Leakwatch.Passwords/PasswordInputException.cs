using Leakwatch.Core.Errors;

namespace Leakwatch.Passwords;

/// <summary>A problem with the ingest's input files.</summary>
public sealed class PasswordInputException(string message) : LeakwatchException(ErrorKind.BadInput, message);
