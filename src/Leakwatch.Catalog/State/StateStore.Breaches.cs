using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Leakwatch.Core;

namespace Leakwatch.Catalog.State;

public abstract partial class StateStore
{
    private const string BreachColumns = """
        name, title, domain, breach_date, added_date, modified_date, pwn_count, description, logo_path, data_classes,
        is_verified, is_fabricated, is_sensitive, is_retired, is_spam_list, is_malware, is_subscription_free, is_stealer_log, stats_json
        """;

    private const string BreachValues = """
        @name, @title, @domain, @bd, @ad, @md, @pwn, @desc, @logo, @dc, @v, @f, @s, @r, @spam, @mal, @free, @stealer, @stats
        """;

    /// <summary>Inserts an unpublished breach row and returns its id: the id counter's next value, never reused.</summary>
    public int InsertBreach(Breach b) => Write((db, tx) =>
    {
        int id;
        using (var next = Command(db, tx, "UPDATE breach_ids SET last = last + 1 RETURNING last"))
        {
            id = Convert.ToInt32(next.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        using var cmd = Command(db, tx, $"INSERT INTO breaches (id, {BreachColumns}) VALUES (@id, {BreachValues})");
        BindBreach(cmd, b);
        Add(cmd, "@id", id);
        cmd.ExecuteNonQuery();
        return id;
    });

    /// <summary>Inserts a breach row as it is, id and report included: for <see cref="StateMigration"/>.</summary>
    internal void CopyBreach(DbConnection db, DbTransaction tx, Breach b, string? report)
    {
        using var cmd = Command(db, tx, $"INSERT INTO breaches (id, {BreachColumns}, report_json) VALUES (@id, {BreachValues}, @report)");
        BindBreach(cmd, b);
        Add(cmd, "@id", b.Id);
        Add(cmd, "@report", report);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Sets the id counter (for <see cref="StateMigration"/>: the source's, so no id is ever handed out twice).</summary>
    internal static void SetLastBreachId(DbConnection db, DbTransaction tx, int last)
    {
        using var cmd = Command(db, tx, "UPDATE breach_ids SET last = @last");
        Add(cmd, "@last", last);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Rewrites a breach row's metadata (not its report); a running server follows the revision.</summary>
    public void UpdateBreach(Breach b) => Write((db, tx) =>
    {
        using var cmd = Command(db, tx, """
            UPDATE breaches SET title=@title, domain=@domain, breach_date=@bd, added_date=@ad, modified_date=@md,
                pwn_count=@pwn, description=@desc, logo_path=@logo, data_classes=@dc, is_verified=@v, is_fabricated=@f,
                is_sensitive=@s, is_retired=@r, is_spam_list=@spam, is_malware=@mal, is_subscription_free=@free,
                is_stealer_log=@stealer, stats_json=@stats
            WHERE id=@id
            """);
        BindBreach(cmd, b);
        Add(cmd, "@id", b.Id);
        return cmd.ExecuteNonQuery();
    });

    public void DeleteBreach(int id)
    {
        Write((db, tx) =>
        {
            using var cmd = Command(db, tx, "DELETE FROM breaches WHERE id=@id");
            Add(cmd, "@id", id);
            return cmd.ExecuteNonQuery();
        });
        Deleted();
    }

    /// <summary>After a delete commits (the embedded store empties its WAL, which may still hold the row).</summary>
    protected virtual void Deleted()
    {
    }

    public void SetReport(int id, string reportJson) => Write((db, tx) =>
    {
        using var cmd = Command(db, tx, "UPDATE breaches SET report_json=@r WHERE id=@id");
        Add(cmd, "@r", reportJson);
        Add(cmd, "@id", id);
        return cmd.ExecuteNonQuery();
    });

    /// <summary>The stored verification report JSON of a breach, or null.</summary>
    public string? GetReport(int id) => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT report_json FROM breaches WHERE id=@id");
        Add(cmd, "@id", id);
        return cmd.ExecuteScalar() as string;
    });

    /// <summary>Every report, by breach id (for migration and checks).</summary>
    public Dictionary<int, string> AllReports() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT id, report_json FROM breaches WHERE report_json IS NOT NULL ORDER BY id");
        using var r = cmd.ExecuteReader();
        var reports = new Dictionary<int, string>();
        while (r.Read())
        {
            reports[r.GetInt32(0)] = r.GetString(1);
        }

        return reports;
    });

    /// <summary>The highest breach id ever handed out.</summary>
    public int LastBreachId() => Read(db =>
    {
        using var cmd = Command(db, null, "SELECT last FROM breach_ids");
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    });

    /// <summary>All rows, published or not, by id.</summary>
    public List<Breach> AllBreaches() => Read(db =>
    {
        using var cmd = Command(db, null, $"SELECT id, {BreachColumns} FROM breaches ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<Breach>();
        while (r.Read())
        {
            list.Add(ReadBreach(r));
        }

        return list;
    });

    /// <summary>Breaches the manifest lists, oldest breach date first.</summary>
    public List<Breach> PublishedBreaches(IReadOnlyCollection<int> publishedIds)
    {
        var set = new HashSet<int>(publishedIds);
        var list = AllBreaches().FindAll(b => set.Contains(b.Id));
        list.Sort(static (a, b) => a.BreachDate != b.BreachDate ? a.BreachDate.CompareTo(b.BreachDate) : a.Id.CompareTo(b.Id));
        return list;
    }

    /// <summary>Removes rows left by ingests that never published (killed or failed).</summary>
    public int DeleteUnpublished(IReadOnlyCollection<int> publishedIds)
    {
        var n = 0;
        var set = new HashSet<int>(publishedIds);
        foreach (var b in AllBreaches())
        {
            if (!set.Contains(b.Id))
            {
                DeleteBreach(b.Id);
                n++;
            }
        }

        return n;
    }

    /// <summary>Rewrites the published-breach snapshot for a manifest generation; call after the write commits. Only
    /// for embedded state: shared rows change from any machine, so readers of a shared store always read the rows.</summary>
    public void WriteSnapshot(long generation, IReadOnlyCollection<int> publishedIds)
    {
        if (Location.IsEmbedded)
        {
            PublishedBreachSnapshot.Write(DataDir, generation, PublishedBreaches(publishedIds));
        }
    }

    private void BindBreach(DbCommand cmd, Breach b)
    {
        Add(cmd, "@name", b.Name);
        Add(cmd, "@title", b.Title);
        Add(cmd, "@domain", b.Domain);
        Add(cmd, "@bd", DateValue(b.BreachDate));
        Add(cmd, "@ad", TimestampValue(Microseconds(b.AddedDate)));
        Add(cmd, "@md", TimestampValue(Microseconds(b.ModifiedDate)));
        Add(cmd, "@pwn", b.PwnCount);
        Add(cmd, "@desc", b.Description);
        Add(cmd, "@logo", b.LogoPath);
        Add(cmd, "@dc", JsonSerializer.Serialize(b.DataClasses, CatalogJson.Default.IReadOnlyListString));
        Add(cmd, "@v", b.IsVerified);
        Add(cmd, "@f", b.IsFabricated);
        Add(cmd, "@s", b.IsSensitive);
        Add(cmd, "@r", b.IsRetired);
        Add(cmd, "@spam", b.IsSpamList);
        Add(cmd, "@mal", b.IsMalware);
        Add(cmd, "@free", b.IsSubscriptionFree);
        Add(cmd, "@stealer", b.IsStealerLog);
        Add(cmd, "@stats", b.StatsJson);
    }

    private Breach ReadBreach(DbDataReader r) => new()
    {
        Id = r.GetInt32(0),
        Name = r.GetString(1),
        Title = r.GetString(2),
        Domain = r.GetString(3),
        BreachDate = ReadDate(r, 4),
        AddedDate = ReadTimestamp(r, 5),
        ModifiedDate = ReadTimestamp(r, 6),
        PwnCount = r.GetInt64(7),
        Description = r.GetString(8),
        LogoPath = r.GetString(9),
        DataClasses = JsonSerializer.Deserialize(r.GetString(10), CatalogJson.Default.IReadOnlyListString) ?? [],
        IsVerified = r.GetBoolean(11),
        IsFabricated = r.GetBoolean(12),
        IsSensitive = r.GetBoolean(13),
        IsRetired = r.GetBoolean(14),
        IsSpamList = r.GetBoolean(15),
        IsMalware = r.GetBoolean(16),
        IsSubscriptionFree = r.GetBoolean(17),
        IsStealerLog = r.GetBoolean(18),
        StatsJson = r.IsDBNull(19) ? null : r.GetString(19),
    };
}
