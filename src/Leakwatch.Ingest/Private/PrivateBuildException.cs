using Leakwatch.Core.Errors;

namespace Leakwatch.Ingest.Private;

/// <summary>A private build cannot start or go on; the message says why and what to do. The kind is
/// <see cref="ErrorKind.DataDir"/> when the data dir's state does not allow it (an unfinished build, a missing key, …),
/// <see cref="ErrorKind.NotFound"/> for no such breach or nothing to resume, <see cref="ErrorKind.BadInput"/> for an
/// unusable source dump or argument.</summary>
public sealed class PrivateBuildException(string message, ErrorKind kind = ErrorKind.DataDir) : LeakwatchException(kind, message);
