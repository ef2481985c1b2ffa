using Leakwatch.Core.Errors;

namespace Leakwatch.Reading;

/// <summary>A problem that stops the whole read: the message names the file and, where known, the line.</summary>
public sealed class DumpFormatException(string fileName, long lineNumber, string message)
    : LeakwatchException(ErrorKind.BadInput, lineNumber > 0 ? $"{fileName}:{lineNumber}: {message}" : $"{fileName}: {message}")
{
    public string FileName { get; } = fileName;
    public long LineNumber { get; } = lineNumber;
    public string Reason { get; } = message;
}
