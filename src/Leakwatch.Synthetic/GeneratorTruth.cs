namespace Leakwatch.Synthetic;

/// <summary>What a generated dump contains, known by construction. The counting rules are Leakwatch's ingest rules:
/// <list type="bullet">
/// <item><see cref="Rows"/>: data rows, header excluded.</item>
/// <item><see cref="DuplicateRows"/>: rows byte-identical to an earlier row.</item>
/// <item><c>Invalid*</c>: rows whose non-empty value in that field is invalid; a duplicate row counts again.</item>
/// <item><c>Distinct*</c>: distinct valid normalized identifiers (email lowercased with an A-label domain; phone as E.164 digits).</item>
/// </list></summary>
public sealed class GeneratorTruth
{
    public long Rows { get; internal set; }
    public long DuplicateRows { get; internal set; }
    public long InvalidEmail { get; internal set; }
    public long InvalidPhone { get; internal set; }
    public long InvalidBirthdate { get; internal set; }
    public long EmptyEmail { get; internal set; }
    public long EmptyPhone { get; internal set; }
    public long EmptyBirthdate { get; internal set; }
    public long DistinctEmails { get; internal set; }
    public long DistinctPhones { get; internal set; }
    public long RecycledRows { get; internal set; }
    public PlantedRun? LongestPlantedRun { get; internal set; }

    /// <summary>Valid normalized emails (lowercase, IDN domain as A-label); only when identifiers were collected.</summary>
    public IReadOnlySet<string>? Emails { get; internal set; }

    /// <summary>Valid phones as E.164 digits (447911123456); only when identifiers were collected.</summary>
    public IReadOnlySet<ulong>? Phones { get; internal set; }

    public override string ToString() =>
        $"rows={Rows} dup={DuplicateRows} invalidEmail={InvalidEmail} invalidPhone={InvalidPhone} invalidDob={InvalidBirthdate} " +
        $"distinctEmails={DistinctEmails} distinctPhones={DistinctPhones} recycled={RecycledRows} run={LongestPlantedRun}";
}
