using System.Globalization;

namespace Leakwatch.Storage.Retention;

/// <summary>
/// How long a replaced generation stays on disk after the publish that replaced it. On a shared data dir over NFS
/// another machine's open or mapped file goes stale the moment the writer unlinks it (ESTALE, SIGBUS), so a replica
/// that has not yet polled the new manifest, or still answers a request on the old generation, needs the old files
/// to outlive the publish. Every store that publishes generations records what it replaced in its manifest with the
/// time (<see cref="RetiredFile"/>) and deletes it only at a later publish or sweep once the period has passed.
/// A period of zero deletes at once (the single-machine behaviour before retention).
/// </summary>
public sealed class GenerationRetention
{
    public const string OptionName = "--retain-generations";
    public const string EnvironmentVariable = "LEAKWATCH_RETAIN_GENERATIONS";

    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromMinutes(10);

    public GenerationRetention(TimeSpan period, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.Zero);
        Period = period;
        Clock = clock ?? TimeProvider.System;
    }

    /// <summary>The process's setting: the CLI sets it from <see cref="OptionName"/> or <see cref="EnvironmentVariable"/>
    /// before a command runs; a store built without an explicit retention uses it.</summary>
    public static GenerationRetention Default { get; set; } = new(DefaultPeriod);

    /// <summary>Deletes at once: no generation is retained.</summary>
    public static GenerationRetention None { get; } = new(TimeSpan.Zero);

    public TimeSpan Period { get; }

    public TimeProvider Clock { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Whether a file retired at <paramref name="retired"/> is still within the period (and so kept).
    /// A retire time ahead of this clock (another machine's) counts as just retired.</summary>
    public bool Keeps(DateTimeOffset retired) => Period > TimeSpan.Zero && Now - retired < Period;

    /// <summary>When a file retired at <paramref name="retired"/> becomes deletable.</summary>
    public DateTimeOffset Expires(DateTimeOffset retired) => retired + Period;

    /// <summary>
    /// The retired list of a manifest about to be published: the previous manifest's entries still within the period,
    /// plus every file the previous manifest named that the next one does not, retired now. Empty when the period is
    /// zero. Files in neither list are the sweep's to delete.
    /// </summary>
    public RetiredFile[] Retire(IEnumerable<RetiredFile>? previouslyRetired, IEnumerable<string?> previouslyNamed, IEnumerable<string?> nextNamed)
    {
        ArgumentNullException.ThrowIfNull(previouslyNamed);
        ArgumentNullException.ThrowIfNull(nextNamed);
        if (Period == TimeSpan.Zero)
        {
            return [];
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in nextNamed)
        {
            if (!string.IsNullOrEmpty(n))
            {
                named.Add(n);
            }
        }

        var list = new List<RetiredFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in previouslyRetired ?? [])
        {
            if (Keeps(r.Retired) && !named.Contains(r.File) && seen.Add(r.File))
            {
                list.Add(r);
            }
        }

        var now = Now;
        foreach (var p in previouslyNamed)
        {
            if (!string.IsNullOrEmpty(p) && !named.Contains(p) && seen.Add(p))
            {
                list.Add(new RetiredFile { File = p, Retired = now });
            }
        }

        return [.. list];
    }

    /// <summary>The files of <paramref name="retired"/> still within the period: a sweep keeps these.</summary>
    public HashSet<string> Kept(IEnumerable<RetiredFile>? retired)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in retired ?? [])
        {
            if (Keeps(r.Retired))
            {
                kept.Add(r.File);
            }
        }

        return kept;
    }

    /// <summary>
    /// A period as the CLI and the environment give it: a number with a unit <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c>
    /// (<c>90s</c>, <c>10m</c>, <c>1h</c>), <c>0</c> for none, or a TimeSpan (<c>00:10:00</c>). Null when it is none
    /// of these or negative.
    /// </summary>
    public static TimeSpan? ParsePeriod(string? text)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
        {
            return null;
        }

        if (t == "0")
        {
            return TimeSpan.Zero;
        }

        var unit = char.ToLowerInvariant(t[^1]);
        if (unit is 's' or 'm' or 'h' or 'd'
            && double.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            var seconds = n * unit switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 86400 };
            return seconds is >= 0 and < 1e9 ? TimeSpan.FromSeconds(seconds) : null;
        }

        return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero ? span : null;
    }
}
