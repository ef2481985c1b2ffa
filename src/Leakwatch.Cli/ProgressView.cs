using System.Globalization;
using Leakwatch.Core;
using Leakwatch.Ingest;
using Leakwatch.Ingest.Private;
using Spectre.Console;

namespace Leakwatch.Cli;

/// <summary>A Spectre.Console progress bar with rows/s and ETA on a terminal; silent when piped.</summary>
internal static class ProgressView
{
    public static T Run<T>(string label, Func<IProgress<IngestProgress>?, T> work, bool quiet)
    {
        if (quiet || !LeakwatchCli.Interactive)
        {
            return work(null);
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: 1.0);
                var started = DateTime.UtcNow;
                var progress = new SyncProgress<IngestProgress>(p =>
                {
                    var secs = Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
                    var rate = p.Rows / secs;
                    var what = p.Phase switch
                    {
                        IngestPhase.Reading => $"reading {p.Rows.ToString("N0", CultureInfo.InvariantCulture)} rows ({rate.ToString("N0", CultureInfo.InvariantCulture)}/s)",
                        IngestPhase.Sorting => "sorting",
                        IngestPhase.Merging => $"merging {p.MergedEntries.ToString("N0", CultureInfo.InvariantCulture)} entries",
                        _ => "publishing",
                    };
                    task.Description = Markup.Escape($"{label}: {what}");
                    if (p.Phase == IngestPhase.Reading && p.TotalBytes > 0)
                    {
                        task.Value = Math.Min(0.95, 0.9 * p.BytesRead / p.TotalBytes);
                    }
                    else if (p.Phase != IngestPhase.Reading)
                    {
                        task.Value = Math.Max(task.Value, 0.95);
                    }
                });
                result = work(progress);
                task.Value = 1.0;
            });
        return result;
    }

    /// <summary>The private build's phases: rows read again, identifiers evaluated (with identifiers/s), buckets merged.</summary>
    public static T RunPrivate<T>(string label, Func<IProgress<PrivateBuildProgress>?, T> work, bool quiet)
    {
        if (quiet || !LeakwatchCli.Interactive)
        {
            return work(null);
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: 1.0);
                var phase = PrivatePhase.Spilling;
                var started = DateTime.UtcNow;
                var progress = new SyncProgress<PrivateBuildProgress>(p =>
                {
                    if (p.Phase != phase)
                    {
                        phase = p.Phase;
                        started = DateTime.UtcNow;
                    }

                    var rate = p.Done / Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
                    var n = p.Done.ToString("N0", CultureInfo.InvariantCulture);
                    var what = p.Phase switch
                    {
                        PrivatePhase.Spilling => $"reading {n} rows ({rate.ToString("N0", CultureInfo.InvariantCulture)}/s)",
                        PrivatePhase.Evaluating => $"OPRF {n} identifiers ({rate.ToString("N0", CultureInfo.InvariantCulture)} identifiers/s)",
                        PrivatePhase.Merging => "merging buckets",
                        _ => "publishing",
                    };
                    task.Description = Markup.Escape($"{label}: {what}");
                    var fraction = p.Total > 0 ? Math.Min(1.0, p.Done / (double)p.Total) : 0;
                    task.Value = p.Phase switch
                    {
                        PrivatePhase.Spilling => 0.05,
                        PrivatePhase.Evaluating => 0.05 + 0.85 * fraction,
                        PrivatePhase.Merging => 0.9 + 0.09 * fraction,
                        _ => 0.99,
                    };
                });
                result = work(progress);
                task.Value = 1.0;
            });
        return result;
    }
}
