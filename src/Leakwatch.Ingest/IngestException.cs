using Leakwatch.Core.Errors;

namespace Leakwatch.Ingest;

/// <summary>An ingest cannot go on because of its input or its arguments.</summary>
public sealed class IngestException : LeakwatchException
{
    public IngestException(string message) : base(ErrorKind.BadInput, message) { }
    public IngestException(string message, Exception inner) : base(ErrorKind.BadInput, message, inner) { }
}
