namespace Leakwatch.Reading.Ulp;

/// <summary>The parts of one parsed stealer-log line, as ranges of the line's bytes (nothing is copied).
/// <see cref="Host"/> is the URL's host (after any <c>user@</c>, without port or path), not yet lowercased
/// nor stripped of <c>www.</c>: <see cref="UlpLineParser.WriteDomain"/> does that.</summary>
public readonly record struct UlpLine(UlpLayout Layout, byte Separator, Range Url, Range Host, Range Login, Range Password);
