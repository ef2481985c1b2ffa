namespace Leakwatch.Reading;

public sealed record DumpFileInfo(string Path, string Format, char? Delimiter, bool HasHeader, string? Compression);
