namespace Leakwatch.Storage;

/// <summary>Storage primitives every store shares: atomic replace, validated mapped files, the external sorter,
/// compressed input and the published-generation holder.</summary>
internal static class AssemblyMarker;
