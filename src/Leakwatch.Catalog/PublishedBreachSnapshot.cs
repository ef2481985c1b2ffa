using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Storage;
using static Leakwatch.Index.JsonFileReading;

namespace Leakwatch.Catalog;

/// <summary>
/// The published breaches as one small JSON file beside the manifest (<c>breaches.json</c>), so a one-shot
/// <c>leakwatch check</c> answers without loading SQLite. It is a cache of the catalogue, never the truth:
/// every catalogue write deletes it first (durably), and it is rewritten only after the write commits, so a
/// kill in between leaves no snapshot and readers fall back to SQLite. It names the manifest generation it
/// was made for; a snapshot of another generation is ignored.
/// </summary>
/// <remarks>
/// Read and written with <see cref="Utf8JsonReader"/>/<see cref="Utf8JsonWriter"/> directly, not the
/// serializer, for start-up time (see <see cref="JsonFileReading"/>): its ~200 generic methods cost a cold
/// <c>check</c> tens of milliseconds. Unknown properties are skipped, so a newer writer's additions do not break
/// an older reader.
/// </remarks>
public static class PublishedBreachSnapshot
{
    public const string FileName = "breaches.json";
    private const int CurrentFormat = 1;

    /// <summary>Removes the snapshot and makes the removal durable before the catalogue changes.</summary>
    public static void Invalidate(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            File.Delete(path);
            FileSync.Directory(dataDir);
        }
    }

    /// <summary>Writes the snapshot for <paramref name="generation"/> atomically (temp file, fsync, rename, fsync dir).</summary>
    public static void Write(string dataDir, long generation, List<Breach> published)
    {
        var path = Path.Combine(dataDir, FileName);
        AtomicFile.Write(path, Encode(generation, published));
    }

    /// <summary>The published breaches for <paramref name="generation"/>, or null when there is no usable snapshot.</summary>
    public static List<Breach>? TryRead(string dataDir, long generation)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path.Combine(dataDir, FileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Missing or being replaced: the catalogue itself answers.
            return null;
        }

        return TryDecode(bytes, out var format, out var written, out var breaches) && format == CurrentFormat && written == generation
            ? breaches
            : null;
    }

    /// <summary>False only when a snapshot for <paramref name="generation"/> exists and says something else
    /// than <paramref name="published"/> (what the catalogue holds); for <c>leakwatch fsck</c>.</summary>
    public static bool AgreesWith(string dataDir, long generation, List<Breach> published)
    {
        if (TryRead(dataDir, generation) is not { } snapshot)
        {
            return true;
        }

        return Encode(generation, published).AsSpan().SequenceEqual(Encode(generation, snapshot));
    }

    /// <summary>The snapshot bytes: <c>{"format":1,"generation":N,"breaches":[…]}</c>, camelCase properties.</summary>
    public static byte[] Encode(long generation, List<Breach> breaches)
    {
        var buffer = new ArrayBufferWriter<byte>(1024 + breaches.Count * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("format"u8, CurrentFormat);
            w.WriteNumber("generation"u8, generation);
            w.WriteStartArray("breaches"u8);
            foreach (var b in breaches)
            {
                WriteBreach(w, b);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes snapshot bytes; false (never an exception) when they are not a well-formed snapshot.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> json, out int format, out long generation, out List<Breach>? breaches)
    {
        format = 0;
        generation = -1;
        breaches = null;
        try
        {
            var r = Reader(json);
            Expect(ref r, JsonTokenType.StartObject);
            while (Next(ref r) == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("format"u8))
                {
                    Next(ref r);
                    format = r.GetInt32();
                }
                else if (r.ValueTextEquals("generation"u8))
                {
                    Next(ref r);
                    generation = r.GetInt64();
                }
                else if (r.ValueTextEquals("breaches"u8))
                {
                    Expect(ref r, JsonTokenType.StartArray);
                    breaches = [];
                    while (Next(ref r) == JsonTokenType.StartObject)
                    {
                        breaches.Add(ReadBreach(ref r));
                    }

                    Require(ref r, JsonTokenType.EndArray);
                }
                else
                {
                    Next(ref r);
                    r.Skip();
                }
            }

            Check(r.TokenType == JsonTokenType.EndObject && breaches is not null);
            RequireEnd(ref r);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            breaches = null;
            return false;
        }
    }

    private static void WriteBreach(Utf8JsonWriter w, Breach b)
    {
        w.WriteStartObject();
        w.WriteNumber("id"u8, b.Id);
        w.WriteString("name"u8, b.Name);
        w.WriteString("title"u8, b.Title);
        w.WriteString("domain"u8, b.Domain);
        Span<byte> date = stackalloc byte[10];
        FormatDate(b.BreachDate, date);
        w.WriteString("breachDate"u8, date);
        w.WriteString("addedDate"u8, b.AddedDate);
        w.WriteString("modifiedDate"u8, b.ModifiedDate);
        w.WriteNumber("pwnCount"u8, b.PwnCount);
        w.WriteString("description"u8, b.Description);
        w.WriteString("logoPath"u8, b.LogoPath);
        w.WriteStartArray("dataClasses"u8);
        foreach (var c in b.DataClasses)
        {
            w.WriteStringValue(c);
        }

        w.WriteEndArray();
        w.WriteBoolean("isVerified"u8, b.IsVerified);
        w.WriteBoolean("isFabricated"u8, b.IsFabricated);
        w.WriteBoolean("isSensitive"u8, b.IsSensitive);
        w.WriteBoolean("isRetired"u8, b.IsRetired);
        w.WriteBoolean("isSpamList"u8, b.IsSpamList);
        w.WriteBoolean("isMalware"u8, b.IsMalware);
        w.WriteBoolean("isSubscriptionFree"u8, b.IsSubscriptionFree);
        w.WriteBoolean("isStealerLog"u8, b.IsStealerLog);
        if (b.StatsJson is null)
        {
            w.WriteNull("statsJson"u8);
        }
        else
        {
            w.WriteString("statsJson"u8, b.StatsJson);
        }

        w.WriteEndObject();
    }

    private static Breach ReadBreach(ref Utf8JsonReader r)
    {
        int id = 0;
        string? name = null, title = null, domain = "", description = "", logoPath = "", stats = null;
        DateOnly breachDate = default;
        DateTimeOffset added = default, modified = default;
        long pwnCount = 0;
        var classes = new List<string>();
        bool verified = false, fabricated = false, sensitive = false, retired = false, spam = false, malware = false, free = false, stealer = false;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            var p = r;
            Next(ref r);
            if (p.ValueTextEquals("id"u8)) { id = r.GetInt32(); }
            else if (p.ValueTextEquals("name"u8)) { name = r.GetString(); }
            else if (p.ValueTextEquals("title"u8)) { title = r.GetString(); }
            else if (p.ValueTextEquals("domain"u8)) { domain = r.GetString() ?? ""; }
            else if (p.ValueTextEquals("breachDate"u8)) { breachDate = ParseDate(ref r); }
            else if (p.ValueTextEquals("addedDate"u8)) { added = r.GetDateTimeOffset(); }
            else if (p.ValueTextEquals("modifiedDate"u8)) { modified = r.GetDateTimeOffset(); }
            else if (p.ValueTextEquals("pwnCount"u8)) { pwnCount = r.GetInt64(); }
            else if (p.ValueTextEquals("description"u8)) { description = r.GetString() ?? ""; }
            else if (p.ValueTextEquals("logoPath"u8)) { logoPath = r.GetString() ?? ""; }
            else if (p.ValueTextEquals("dataClasses"u8))
            {
                Require(ref r, JsonTokenType.StartArray);
                while (Next(ref r) == JsonTokenType.String)
                {
                    classes.Add(r.GetString()!);
                }

                Require(ref r, JsonTokenType.EndArray);
            }
            else if (p.ValueTextEquals("isVerified"u8)) { verified = r.GetBoolean(); }
            else if (p.ValueTextEquals("isFabricated"u8)) { fabricated = r.GetBoolean(); }
            else if (p.ValueTextEquals("isSensitive"u8)) { sensitive = r.GetBoolean(); }
            else if (p.ValueTextEquals("isRetired"u8)) { retired = r.GetBoolean(); }
            else if (p.ValueTextEquals("isSpamList"u8)) { spam = r.GetBoolean(); }
            else if (p.ValueTextEquals("isMalware"u8)) { malware = r.GetBoolean(); }
            else if (p.ValueTextEquals("isSubscriptionFree"u8)) { free = r.GetBoolean(); }
            else if (p.ValueTextEquals("isStealerLog"u8)) { stealer = r.GetBoolean(); }
            else if (p.ValueTextEquals("statsJson"u8)) { stats = r.GetString(); }
            else { r.Skip(); }
        }

        Check(r.TokenType == JsonTokenType.EndObject && name is not null && title is not null);
        return new Breach
        {
            Id = id,
            Name = name!,
            Title = title!,
            Domain = domain,
            BreachDate = breachDate,
            AddedDate = added,
            ModifiedDate = modified,
            PwnCount = pwnCount,
            Description = description,
            LogoPath = logoPath,
            DataClasses = classes,
            IsVerified = verified,
            IsFabricated = fabricated,
            IsSensitive = sensitive,
            IsRetired = retired,
            IsSpamList = spam,
            IsMalware = malware,
            IsSubscriptionFree = free,
            IsStealerLog = stealer,
            StatsJson = stats,
        };
    }

    private static void FormatDate(DateOnly d, Span<byte> ten)
    {
        Check(d.Year is >= 1 and <= 9999);
        Utf8Formatter.TryFormat(d.Year, ten[..4], out _, new StandardFormat('D', 4));
        ten[4] = (byte)'-';
        Utf8Formatter.TryFormat(d.Month, ten[5..7], out _, new StandardFormat('D', 2));
        ten[7] = (byte)'-';
        Utf8Formatter.TryFormat(d.Day, ten[8..10], out _, new StandardFormat('D', 2));
    }

    private static DateOnly ParseDate(ref Utf8JsonReader r)
    {
        Check(r.TokenType == JsonTokenType.String && !r.ValueIsEscaped && r.ValueSpan.Length == 10);
        var s = r.ValueSpan;
        if (s[4] != '-' || s[7] != '-'
            || !Utf8Parser.TryParse(s[..4], out int y, out var n1) || n1 != 4
            || !Utf8Parser.TryParse(s[5..7], out int m, out var n2) || n2 != 2
            || !Utf8Parser.TryParse(s[8..10], out int d, out var n3) || n3 != 2
            || y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            throw new FormatException("not a breach snapshot");
        }

        return new DateOnly(y, m, d);
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        Next(ref r);
        Require(ref r, type);
    }

    private static void Check(bool ok)
    {
        if (!ok)
        {
            throw new FormatException("not a breach snapshot");
        }
    }
}
