namespace Leakwatch.Reading;

public readonly record struct RowProblem(string FileName, long LineNumber, string Message)
{
    /// <summary>A short fixed name for counting problems by kind (stealer-log lines: <c>no-login</c>, …); null when
    /// the message alone says it.</summary>
    public string? Reason { get; init; }
}
