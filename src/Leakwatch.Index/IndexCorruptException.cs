using Leakwatch.Core.Errors;

namespace Leakwatch.Index;

public sealed class IndexCorruptException(string message) : LeakwatchException(ErrorKind.DataDir, message);
