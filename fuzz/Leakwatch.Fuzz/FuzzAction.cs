namespace Leakwatch.Fuzz;

/// <summary>One input in, and either a clean return, a documented bad-input error, or a bug.</summary>
internal delegate void FuzzAction(ReadOnlySpan<byte> input);
