using System.Text.Json;
using Leakwatch.Storage.Retention;
using static Leakwatch.Index.JsonFileReading;

namespace Leakwatch.Index;

/// <summary>The published state. Breaches in the catalogue but not listed here are not visible.</summary>
public sealed record Manifest
{
    public const int CurrentFormat = 1;

    public static readonly Manifest Empty = new();

    public int Format { get; init; } = CurrentFormat;

    public long Generation { get; init; }

    /// <summary>Index file relative to the data dir, or null before the first ingest.</summary>
    public string? Index { get; init; }

    public long IndexBytes { get; init; }

    public long Entries { get; init; }

    /// <summary>Fingerprint of the key file the index was built with.</summary>
    public string? KeyId { get; init; }

    public int[] Breaches { get; init; } = [];

    public DateTimeOffset Published { get; init; }

    /// <summary>The stealer-log website store (<see cref="Stealer.StealerSiteFile"/>) relative to the data dir, or null
    /// before the first stealer-log ingest. Every publish carries it forward; a stealer-log ingest replaces it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? StealerSites { get; init; }

    /// <summary>The domain store (each email domain's aliases, sealed; docs/organisations.md) relative to the data dir,
    /// or null before the first ingest that builds it. Every publish carries it forward; an ingest replaces it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? DomainStore { get; init; }
    /// <summary>The stealer-log store by email domain (alias → websites, paged by keyed domain tag), relative to the
    /// data dir, or null; carried and replaced like <see cref="StealerSites"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? StealerEmailDomains { get; init; }

    /// <summary>The stealer-log store by website domain (emails, paged by keyed domain tag), relative to the data dir,
    /// or null; carried and replaced like <see cref="StealerSites"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? StealerWebsites { get; init; }

    /// <summary>Index files earlier publishes replaced, kept on disk for the retention period so replicas still
    /// reading them (over NFS) do not lose them; see <see cref="GenerationRetention"/>.</summary>
    public RetiredFile[] Retired { get; init; } = [];

    /// <summary>
    /// Reads manifest JSON as <see cref="ManifestJson"/> writes it: camelCase names, unknown properties skipped.
    /// By hand, for start-up time (see <see cref="JsonFileReading"/>).
    /// </summary>
    /// <exception cref="JsonException">Not a JSON object of this shape.</exception>
    public static Manifest Parse(ReadOnlySpan<byte> json)
    {
        var r = Reader(json);
        Next(ref r);
        Require(ref r, JsonTokenType.StartObject);
        var m = new Manifest();
        int format = m.Format;
        long generation = 0, indexBytes = 0, entries = 0;
        string? index = null, keyId = null, stealerSites = null, domainStore = null, stealerEmailDomains = null, stealerWebsites = null;
        int[] breaches = [];
        DateTimeOffset published = default;
        RetiredFile[] retired = [];
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var name = r;
            Next(ref r);
            if (name.ValueTextEquals("format"u8)) { format = r.GetInt32(); }
            else if (name.ValueTextEquals("generation"u8)) { generation = r.GetInt64(); }
            else if (name.ValueTextEquals("index"u8)) { index = r.GetString(); }
            else if (name.ValueTextEquals("indexBytes"u8)) { indexBytes = r.GetInt64(); }
            else if (name.ValueTextEquals("entries"u8)) { entries = r.GetInt64(); }
            else if (name.ValueTextEquals("keyId"u8)) { keyId = r.GetString(); }
            else if (name.ValueTextEquals("stealerSites"u8)) { stealerSites = r.GetString(); }
            else if (name.ValueTextEquals("domainStore"u8)) { domainStore = r.GetString(); }
            else if (name.ValueTextEquals("stealerEmailDomains"u8)) { stealerEmailDomains = r.GetString(); }
            else if (name.ValueTextEquals("stealerWebsites"u8)) { stealerWebsites = r.GetString(); }
            else if (name.ValueTextEquals("published"u8)) { published = r.GetDateTimeOffset(); }
            else if (name.ValueTextEquals("breaches"u8))
            {
                Require(ref r, JsonTokenType.StartArray);
                var ids = new List<int>();
                while (Next(ref r) == JsonTokenType.Number)
                {
                    ids.Add(r.GetInt32());
                }

                Require(ref r, JsonTokenType.EndArray);
                breaches = [.. ids];
            }
            else if (name.ValueTextEquals("retired"u8)) { retired = ParseRetired(ref r); }
            else { r.Skip(); }
        }

        Require(ref r, JsonTokenType.EndObject);
        RequireEnd(ref r);
        return new Manifest
        {
            Format = format,
            Generation = generation,
            Index = index,
            IndexBytes = indexBytes,
            Entries = entries,
            KeyId = keyId,
            Breaches = breaches,
            Published = published,
            Retired = retired,
            StealerSites = stealerSites,
            DomainStore = domainStore,
            StealerEmailDomains = stealerEmailDomains,
            StealerWebsites = stealerWebsites,
        };
    }

    /// <summary>The <c>retired</c> array: objects with <c>file</c> and <c>retired</c> (unknown properties skipped).</summary>
    private static RetiredFile[] ParseRetired(ref Utf8JsonReader r)
    {
        Require(ref r, JsonTokenType.StartArray);
        var list = new List<RetiredFile>();
        while (Next(ref r) == JsonTokenType.StartObject)
        {
            string? file = null;
            DateTimeOffset at = default;
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                var name = r;
                Next(ref r);
                if (name.ValueTextEquals("file"u8)) { file = r.GetString(); }
                else if (name.ValueTextEquals("retired"u8)) { at = r.GetDateTimeOffset(); }
                else { r.Skip(); }
            }

            Require(ref r, JsonTokenType.EndObject);
            if (string.IsNullOrEmpty(file))
            {
                throw new JsonException("a retired entry has no file");
            }

            list.Add(new RetiredFile { File = file, Retired = at });
        }

        Require(ref r, JsonTokenType.EndArray);
        return [.. list];
    }
}
