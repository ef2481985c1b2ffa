using Leakwatch.Core;

namespace Leakwatch.Reading;

public readonly record struct DumpColumn(string Name, FieldRole Role);
