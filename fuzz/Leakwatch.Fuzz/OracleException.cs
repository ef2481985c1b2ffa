namespace Leakwatch.Fuzz;

/// <summary>A target's own check failed: the code returned, but broke a property it promises (two paths that
/// must agree did not, a normalized value did not normalize to itself). Always a crash.</summary>
internal sealed class OracleException(string message) : Exception(message);
