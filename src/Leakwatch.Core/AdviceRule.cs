namespace Leakwatch.Core;

/// <summary>
/// One piece of advice and the exposure that calls for it: the rule applies when every data class of at least one
/// set in <see cref="When"/> was exposed.
/// </summary>
public sealed record AdviceRule(string Id, IReadOnlyList<IReadOnlyList<string>> When, string Title, IReadOnlyList<string> Steps);
