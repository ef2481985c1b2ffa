using Leakwatch.Analysis;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Ingest.Private;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Phases;

/// <summary>What one normalization thread owns: its hashers, its sorters and its analysis, so the hot path
/// takes no locks.</summary>
internal sealed class WorkerState(IdentifierHasher hasher, PhoneNormalizer phones, DateOrder dateOrder,
    ExternalSorter emails, ExternalSorter phoneKeys, ExternalSorter rowFingerprints, EphemeralHasher rowHasher,
    AnalysisAccumulator analysis)
{
    public readonly IdentifierHasher Hasher = hasher;
    public readonly PhoneNormalizer PhoneNormalizer = phones;
    public readonly DateOrder DateOrder = dateOrder;
    public readonly ExternalSorter Emails = emails;
    public readonly ExternalSorter Phones = phoneKeys;
    public readonly ExternalSorter RowFingerprints = rowFingerprints;
    public readonly EphemeralHasher RowHasher = rowHasher;
    public readonly AnalysisAccumulator Analysis = analysis;
    public PrivateSpillWriter? Spill;
    /// <summary>A stealer-log ingest's per-thread state (passwords, websites); null for any other dump.</summary>
    public Stealer.UlpWorker? Ulp;
    /// <summary>Domain alerts: counts addresses on verified domains; null (no lookup at all) when none is verified.</summary>
    public DomainTally? DomainTally;
    /// <summary>This thread's share of the domain store's delta; null with `--no-domain-store` and for `verify`.</summary>
    public Leakwatch.Ingest.Domains.DomainAliasCollector? Domains;
    public long InvalidEmail;
    public long InvalidPhone;
    public long InvalidBirthdate;
    public long ValidEmails;
    public long ValidPhones;
    /// <summary>Rows holding more than one valid identifier (several columns, or a cell with several).</summary>
    public long RowsWithSeveralIdentifiers;
    public DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
}
