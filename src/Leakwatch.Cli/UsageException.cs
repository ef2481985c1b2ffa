using Leakwatch.Core.Errors;

namespace Leakwatch.Cli;

public sealed class UsageException(string message) : LeakwatchException(ErrorKind.Usage, message);
