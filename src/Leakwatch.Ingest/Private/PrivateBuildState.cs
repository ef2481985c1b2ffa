using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Reading;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Private;

/// <summary>What a private build is doing, kept in <c>private/build/state.json</c> so a killed build can resume.
/// Progress itself is the files: a spill chunk without an output is still to evaluate.</summary>
public sealed class PrivateBuildState
{
    /// <summary>2: OPRF outputs carry each identifier's section (calling code).</summary>
    public const int CurrentFormat = 2;

    public int Format { get; set; } = CurrentFormat;

    /// <summary>16 random bytes in hex; with the key file's secret it derives the key of this build's sealed files.</summary>
    public string BuildId { get; set; } = "";

    /// <summary><c>ingest</c> (ingest --private), <c>build</c> (private build), <c>rotate</c> (keys rotate-oprf) or
    /// <c>relist</c> (`remove` and `breach set --sensitive|--retired`, and clearing them, re-indexing a breach's members).</summary>
    public string Kind { get; set; } = "";

    /// <summary>The OPRF key this build evaluates with.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>True: a new index from these sources alone; false: merged into the published private index.</summary>
    public bool Fresh { get; set; }

    /// <summary>Base64 salt of the entries: the published index's for a merge, fresh for a new index. Fixed when the
    /// build starts, because the OPRF phase already writes the entries.</summary>
    public string Salt { get; set; } = "";

    public List<PrivateBuildSource> Sources { get; set; } = [];

    /// <summary>A <c>relist</c> build re-indexes only the identifiers the exposure index lists in this breach (0: all).</summary>
    public int OnlyMembersOf { get; set; }

    /// <summary>Breach ids no chain of this build may list although the catalogue still shows them: the command that
    /// started it hides them, and changes the catalogue only once the private index no longer lists them.</summary>
    public List<int> Hidden { get; set; } = [];

    public DateTimeOffset Started { get; set; }

    /// <summary>The entries checksum of the generation this build is publishing, written just before the manifest
    /// swap. When the published private manifest carries it, the build was published and only its clean-up is left.</summary>
    public string? PublishedChecksum { get; set; }

    [JsonIgnore]
    public byte[] BuildIdBytes => Convert.FromHexString(BuildId);

    [JsonIgnore]
    public byte[] SaltBytes => Convert.FromBase64String(Salt);
}
