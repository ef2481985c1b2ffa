using Leakwatch.Core.Errors;

namespace Leakwatch.Privacy;

/// <summary>The key file is missing, unreadable or does not match what it should open.</summary>
public sealed class KeyFileException(string message) : LeakwatchException(ErrorKind.DataDir, message);
