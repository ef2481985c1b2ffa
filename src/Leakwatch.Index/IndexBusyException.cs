using Leakwatch.Core.Errors;

namespace Leakwatch.Index;

/// <summary>Another process holds the data dir's lock.</summary>
public sealed class IndexBusyException(string message) : LeakwatchException(ErrorKind.DataDir, message);
