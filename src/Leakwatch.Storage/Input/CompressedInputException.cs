using Leakwatch.Core.Errors;

namespace Leakwatch.Storage.Input;

/// <summary>An input file that cannot be read as it is: an archive, or a compressed stream that is cut short or
/// corrupt. The message is one line naming the file; <see cref="Reason"/> is the same without the file.</summary>
public sealed class CompressedInputException(string path, string reason)
    : LeakwatchException(ErrorKind.BadInput, $"{path}: {reason}")
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;
}
