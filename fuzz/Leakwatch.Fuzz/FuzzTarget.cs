namespace Leakwatch.Fuzz;

/// <summary>A named fuzz target: <paramref name="Run"/> returns or throws the code's documented bad-input error
/// for any input; any other exception (or a hang) is a crash.</summary>
internal sealed record FuzzTarget(string Name, string Covers, FuzzAction Run, Func<Exception, bool> IsBadInput);
