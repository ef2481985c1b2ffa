namespace Leakwatch.Analysis;

/// <summary>Identifiers of this dump already in an earlier breach; ratios are of this dump's distinct counts.</summary>
public sealed record OverlapEntry(string Breach, long Emails, long Phones, Ratio EmailRatio, Ratio PhoneRatio);
