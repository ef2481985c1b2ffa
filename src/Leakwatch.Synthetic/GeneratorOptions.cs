namespace Leakwatch.Synthetic;

/// <summary>What to generate. Same options → byte-identical output.
/// Rates of flaws in a field apply to the rows where that field is non-empty.</summary>
public sealed record GeneratorOptions(long Records, int Seed, DumpShape Shape = DumpShape.Csv)
{
    /// <summary>An earlier dump made by this generator (any shape, plain, .gz or .zst) to re-use persons from.</summary>
    public string? RecycleFrom { get; init; }

    /// <summary>Fraction of the new rows that re-use a person from <see cref="RecycleFrom"/> (0–1).</summary>
    public double RecycleRate { get; init; }

    /// <summary>Fraction of rows that re-emit an earlier row byte-identically.</summary>
    public double DuplicateRate { get; init; } = 0.01;

    /// <summary>Fraction of non-empty emails that are invalid (no '@', "..", unknown TLD, local part over 64).</summary>
    public double InvalidEmailRate { get; init; } = 0.02;

    /// <summary>Fraction of non-empty phones that are invalid (too short, or right length but invalid for the country).</summary>
    public double InvalidPhoneRate { get; init; } = 0.02;

    /// <summary>Fraction of non-empty birthdates that are impossible (2/30, 1899, a future year, month 13).</summary>
    public double InvalidBirthdateRate { get; init; } = 0.02;

    /// <summary>Fraction of rows with an email; null = by shape (5% for <see cref="DumpShape.Colon"/>, 85% otherwise).</summary>
    public double? EmailPresence { get; init; }

    /// <summary>Fraction of rows with a birthdate; null = by shape (35% for <see cref="DumpShape.Colon"/>, 80% otherwise).</summary>
    public double? BirthdatePresence { get; init; }

    /// <summary>Fraction of rows with an empty phone.</summary>
    public double EmptyPhoneRate { get; init; } = 0.01;

    /// <summary>Fraction of valid emails on an internationalized (IDN) domain such as müller.de.</summary>
    public double IdnEmailRate { get; init; } = 0.01;

    /// <summary>Fraction of valid emails written in mixed case.</summary>
    public double MixedCaseEmailRate { get; init; } = 0.05;

    /// <summary>Fraction of fresh persons that share the email of an earlier person.</summary>
    public double SharedEmailRate { get; init; } = 0.003;

    /// <summary>Fraction of fresh persons that share the phone of an earlier person.</summary>
    public double SharedPhoneRate { get; init; } = 0.003;

    /// <summary>Length of the planted run of consecutive phones; null = 500 from 10,000 records, else Records / 20 (at least 2).</summary>
    public int? PlantedRunLength { get; init; }

    internal double EffectiveEmailPresence => EmailPresence ?? (Shape == DumpShape.Colon ? 0.05 : 0.85);
    internal double EffectiveBirthdatePresence => BirthdatePresence ?? (Shape == DumpShape.Colon ? 0.35 : 0.80);

    internal int EffectivePlantedRunLength =>
        PlantedRunLength ?? (Records >= 10_000 ? 500 : (int)Math.Max(Math.Min(Records, 2), Records / 20));
}
