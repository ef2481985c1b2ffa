namespace Leakwatch.Reading;

public readonly record struct RowProblem(string FileName, long LineNumber, string Message);
