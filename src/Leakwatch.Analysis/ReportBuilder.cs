using System.Globalization;
using Leakwatch.Core;

namespace Leakwatch.Analysis;

/// <summary>Turns exact pipeline counts and merged aggregates into a <see cref="VerificationReport"/>.</summary>
public static partial class ReportBuilder
{
    /// <summary>A table row (a domain, a TLD, a region, a calling code, a birth year or date) is printed only when at
    /// least this many rows share it (k-anonymity); the rest fold into one "other" row.</summary>
    public const int MinCountToShow = 10;

    /// <summary>A full birth date is printed only when at least this many rows share it.</summary>
    public const int MinCountToShowDate = MinCountToShow;

    /// <summary>The name of the row that holds everything a table does not list.</summary>
    public const string OtherRow = "other";

    private const int SpikeWindowDays = 15;
    private const double DateSpikeFactor = 10;
    private const int YearWindow = 3;
    private const double YearSpikeFactor = 3;
    private const int MaxSpikesListed = 10;

    /// <summary>Builds the report. Unless <see cref="ReportInputs.Enumeration"/> is given this consumes the
    /// accumulator's phone numbers (a merge of its sorted runs): call once.</summary>
    public static VerificationReport Build(ReportInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var acc = inputs.Analysis;
        // A complete sample is the dump itself: its ratios are exact, as in a full run.
        var ctx = new RatioMaker(inputs.Sample is { Complete: false });
        var enumeration = inputs.Enumeration ?? NumberRunDetector.Detect(acc);
        var top = Math.Max(1, inputs.TopCount);

        var domains = TopOf(acc.Domains, acc.ValidEmails, top, ctx);
        var birth = BirthDates(acc, ctx);
        var domainCheck = CheckDomain(inputs.ClaimedDomain, acc, ctx);
        var overlap = Overlap(inputs, ctx);
        var seen = SeenBeforeOf(inputs, ctx);
        var genders = acc.Genders;

        var report = new VerificationReport
        {
            Breach = inputs.Breach,
            ClaimedDomain = NormalizeDomain(inputs.ClaimedDomain),
            Sample = inputs.Sample,
            Rows = inputs.Rows,
            DuplicateRows = inputs.DuplicateRows,
            DuplicateRatio = inputs.DuplicateRatio ?? ctx.Of(inputs.DuplicateRows, inputs.Rows),
            Distinct = new IdentifierCounts { Email = inputs.DistinctEmail, Phone = inputs.DistinctPhone },
            Invalid = new FieldCounts { Email = inputs.InvalidEmail, Phone = inputs.InvalidPhone, Birthdate = inputs.InvalidBirthdate },
            Valid = new FieldCounts { Email = acc.ValidEmails, Phone = acc.ValidPhones, Birthdate = acc.ValidBirthDates },
            Validity = new ValidityRatios
            {
                Email = ctx.OrNull(acc.ValidEmails, acc.ValidEmails + inputs.InvalidEmail),
                Phone = ctx.OrNull(acc.ValidPhones, acc.ValidPhones + inputs.InvalidPhone),
                Birthdate = ctx.OrNull(acc.ValidBirthDates, acc.ValidBirthDates + inputs.InvalidBirthdate),
            },
            PhoneValidityByCountry = PhoneValidity(acc, top, ctx),
            Gender = new GenderSummary
            {
                Female = genders[(int)Gender.Female],
                Male = genders[(int)Gender.Male],
                Other = genders[(int)Gender.Other],
                Unrecognized = genders[(int)Gender.Unknown],
                FemaleShare = ctx.OrNull(genders[(int)Gender.Female], genders[(int)Gender.Female] + genders[(int)Gender.Male]),
            },
            BirthDates = birth,
            TopCountries = TopOf(acc.PhonesByRegion(), acc.ValidPhones, top, ctx),
            TopEmailDomains = domains,
            TopEmailTlds = TopOf(acc.Tlds, acc.ValidEmails, top, ctx),
            DistinctEmailDomains = acc.Domains.Count,
            DomainMismatch = domainCheck,
            Overlap = overlap,
            SeenBefore = seen,
            Enumeration = Summarize(enumeration, inputs.Sample is null || inputs.Sample.Complete ? "population" : "sample", ctx),
        };
        return report with { Verdict = Verdicts(report, inputs, acc) };
    }

    /// <summary>Makes ratios: exact for a full run, with a 95% Wilson interval in sample mode.</summary>
    internal readonly struct RatioMaker(bool withInterval)
    {
        public Ratio Of(long k, long n)
        {
            k = Math.Clamp(k, 0, Math.Max(0, n));
            var value = n == 0 ? 0 : Round((double)k / n);
            if (!withInterval)
            {
                return new Ratio(value, null, null);
            }

            var (low, high) = WilsonInterval.Compute(k, n);
            return new Ratio(value, Round(low), Round(high));
        }

        public Ratio? OrNull(long k, long n) => n == 0 ? null : Of(k, n);

        /// <summary>A ratio whose sample estimate has no honest interval (a maximum over many categories, a share of
        /// size-biased identifiers, runs in a sample): the value only, low and high null, also in sample mode.</summary>
        public static Ratio PointOnly(long k, long n)
        {
            k = Math.Clamp(k, 0, Math.Max(0, n));
            return new Ratio(n == 0 ? 0 : Round((double)k / n), null, null);
        }

        /// <summary><see cref="Of"/> in a full run or a complete sample; <see cref="PointOnly"/> on a partial sample.</summary>
        public Ratio ExactOrPoint(long k, long n) => withInterval ? PointOnly(k, n) : Of(k, n);

        private static double Round(double v) => Math.Round(v, 6, MidpointRounding.ToEven);
    }

    /// <summary>The largest categories with at least <see cref="MinCountToShow"/> rows, at most <paramref name="top"/>
    /// of them, then one "other" row for the rest of <paramref name="total"/>.</summary>
    private static List<CategoryShare> TopOf(IReadOnlyDictionary<string, long> counts, long total, int top, RatioMaker ctx)
    {
        var items = new List<KeyValuePair<string, long>>(counts);
        items.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var result = new List<CategoryShare>(Math.Min(top, items.Count) + 1);
        long listed = 0;
        for (var i = 0; i < items.Count && result.Count < top && items[i].Value >= MinCountToShow; i++)
        {
            result.Add(new CategoryShare(items[i].Key, items[i].Value, ctx.Of(items[i].Value, total)));
            listed += items[i].Value;
        }

        var rest = total - listed;
        if (rest > 0)
        {
            result.Add(new CategoryShare(OtherRow, rest, ctx.Of(rest, total)));
        }

        return result;
    }

    private static List<PhoneCountryValidity> PhoneValidity(AnalysisAccumulator acc, int top, RatioMaker ctx)
    {
        var util = PhoneNumbers.PhoneNumberUtil.GetInstance();
        var valid = acc.ValidPhonesByCallingCode;
        var invalid = acc.InvalidPhonesByCallingCode;
        var rows = new List<PhoneCountryValidity>();
        for (var code = 0; code < valid.Length; code++)
        {
            if (valid[code] + invalid[code] == 0)
            {
                continue;
            }

            rows.Add(new PhoneCountryValidity
            {
                CallingCode = code,
                Region = code == 0 ? "ZZ" : util.GetRegionCodeForCountryCode(code),
                Valid = valid[code],
                Invalid = invalid[code],
                ValidRatio = ctx.Of(valid[code], valid[code] + invalid[code]),
            });
        }

        rows.Sort((a, b) =>
        {
            var c = (b.Valid + b.Invalid).CompareTo(a.Valid + a.Invalid);
            return c != 0 ? c : Nullable.Compare(a.CallingCode, b.CallingCode);
        });
        var shown = 0;
        while (shown < rows.Count && shown < top && rows[shown].Valid + rows[shown].Invalid >= MinCountToShow)
        {
            shown++;
        }

        if (shown < rows.Count)
        {
            long otherValid = 0, otherInvalid = 0;
            for (var i = shown; i < rows.Count; i++)
            {
                otherValid += rows[i].Valid;
                otherInvalid += rows[i].Invalid;
            }

            rows.RemoveRange(shown, rows.Count - shown);
            rows.Add(new PhoneCountryValidity
            {
                CallingCode = null,
                Region = OtherRow,
                Valid = otherValid,
                Invalid = otherInvalid,
                ValidRatio = ctx.Of(otherValid, otherValid + otherInvalid),
            });
        }

        return rows;
    }

    private static BirthDateSummary BirthDates(AnalysisAccumulator acc, RatioMaker ctx)
    {
        var days = acc.Days;
        long total = 0;
        var first = -1;
        var last = -1;
        var best = -1;
        for (var d = 0; d < days.Length; d++)
        {
            if (days[d] == 0)
            {
                continue;
            }

            total += days[d];
            if (first < 0)
            {
                first = d;
            }

            last = d;
            if (best < 0 || days[d] > days[best])
            {
                best = d;
            }
        }

        if (first < 0)
        {
            return new BirthDateSummary();
        }

        var spikes = new List<DateSpike>();
        for (var d = first; d <= last; d++)
        {
            if (days[d] < MinCountToShowDate)
            {
                continue;
            }

            var baseline = DayBaseline(days, d);
            if (days[d] >= DateSpikeFactor * baseline)
            {
                spikes.Add(new DateSpike(DateText(d), days[d], Math.Round(baseline, 3), ctx.Of(days[d], total)));
            }
        }

        spikes.Sort((a, b) => b.Count != a.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Date, b.Date));
        if (spikes.Count > MaxSpikesListed)
        {
            spikes.RemoveRange(MaxSpikesListed, spikes.Count - MaxSpikesListed);
        }

        var years = Years(days, first, last);
        var mostCommon = new MostCommonDate(days[best] >= MinCountToShowDate ? DateText(best) : null, days[best], ctx.ExactOrPoint(days[best], total));
        return new BirthDateSummary { Years = years, Spikes = spikes, MostCommon = mostCommon };
    }

    /// <summary>Valid birth dates per year, first to last; years with fewer than <see cref="MinCountToShow"/> fold into
    /// one "other" row at the end. A year is a spike when it has 3× the mean of the 3 years either side.</summary>
    private static List<YearCount> Years(ReadOnlySpan<long> days, int first, int last)
    {
        var firstYear = AnalysisAccumulator.FirstDay.AddDays(first).Year;
        var lastYear = AnalysisAccumulator.FirstDay.AddDays(last).Year;
        var yearCounts = new long[lastYear - firstYear + 1];
        for (var d = first; d <= last; d++)
        {
            yearCounts[AnalysisAccumulator.FirstDay.AddDays(d).Year - firstYear] += days[d];
        }

        var years = new List<YearCount>(yearCounts.Length);
        long otherYears = 0;
        for (var y = 0; y < yearCounts.Length; y++)
        {
            if (yearCounts[y] < MinCountToShow)
            {
                otherYears += yearCounts[y];
                continue;
            }

            double sum = 0;
            for (var k = y - YearWindow; k <= y + YearWindow; k++)
            {
                if (k != y && k >= 0 && k < yearCounts.Length)
                {
                    sum += yearCounts[k];
                }
            }

            var spike = yearCounts[y] >= MinCountToShowDate && yearCounts[y] >= YearSpikeFactor * (sum / (2 * YearWindow));
            years.Add(new YearCount(firstYear + y, yearCounts[y], spike));
        }

        if (otherYears > 0)
        {
            years.Add(new YearCount(null, otherYears, false));
        }

        return years;
    }

    private static double DayBaseline(ReadOnlySpan<long> days, int d)
    {
        double sum = 0;
        var n = 0;
        for (var k = d - SpikeWindowDays; k <= d + SpikeWindowDays; k++)
        {
            if (k != d && k >= 0 && k < days.Length)
            {
                sum += days[k];
                n++;
            }
        }

        return n == 0 ? 0 : sum / n;
    }

    private static string DateText(int day) =>
        AnalysisAccumulator.FirstDay.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static List<OverlapEntry> Overlap(ReportInputs inputs, RatioMaker ctx)
    {
        var list = new List<OverlapEntry>(inputs.Overlap.Count);
        foreach (var (breach, emails, phones) in inputs.Overlap)
        {
            list.Add(new OverlapEntry(breach, emails, phones, ctx.ExactOrPoint(emails, inputs.DistinctEmail), ctx.ExactOrPoint(phones, inputs.DistinctPhone)));
        }

        list.Sort((a, b) =>
        {
            var c = (b.Emails + b.Phones).CompareTo(a.Emails + a.Phones);
            return c != 0 ? c : string.CompareOrdinal(a.Breach, b.Breach);
        });
        return list;
    }

    private static SeenBefore? SeenBeforeOf(ReportInputs inputs, RatioMaker ctx)
    {
        long emails, phones;
        bool exact;
        if (inputs.SeenBefore is { } union)
        {
            (emails, phones, exact) = (union.Emails, union.Phones, true);
        }
        else if (inputs.Overlap.Count > 0)
        {
            (emails, phones, exact) = (0, 0, false);
            foreach (var o in inputs.Overlap)
            {
                emails = Math.Max(emails, o.Emails);
                phones = Math.Max(phones, o.Phones);
            }
        }
        else
        {
            return null;
        }

        return new SeenBefore
        {
            Emails = emails,
            Phones = phones,
            Exact = exact,
            EmailRatio = ctx.ExactOrPoint(emails, inputs.DistinctEmail),
            PhoneRatio = ctx.ExactOrPoint(phones, inputs.DistinctPhone),
            IdentifierRatio = ctx.ExactOrPoint(emails + phones, inputs.DistinctEmail + inputs.DistinctPhone),
        };
    }

    private static EnumerationSummary Summarize(EnumerationResult e, string scope, RatioMaker ctx)
    {
        var histogram = new List<RunLengthRow>(e.RunLengths.Count);
        foreach (var b in e.RunLengths)
        {
            histogram.Add(new RunLengthRow(b.MinLength, b.MaxLength, b.Runs, b.Numbers));
        }

        var countries = new List<CountryDensityRow>();
        long otherNumbers = 0, otherIn10 = 0, otherIn100 = 0;
        foreach (var c in e.ByCountry)
        {
            if (c.Numbers < MinCountToShow)
            {
                (otherNumbers, otherIn10, otherIn100) = (otherNumbers + c.Numbers, otherIn10 + c.InRunsOf10, otherIn100 + c.InRunsOf100);
                continue;
            }

            countries.Add(new CountryDensityRow(c.CallingCode, c.Region, c.Numbers,
                Math.Round((double)c.InRunsOf10 / c.Numbers, 6), Math.Round((double)c.InRunsOf100 / c.Numbers, 6)));
        }

        if (otherNumbers > 0)
        {
            countries.Add(new CountryDensityRow(null, OtherRow, otherNumbers,
                Math.Round((double)otherIn10 / otherNumbers, 6), Math.Round((double)otherIn100 / otherNumbers, 6)));
        }

        return new EnumerationSummary
        {
            Scope = scope,
            DistinctNumbers = e.DistinctNumbers,
            LongestRun = e.LongestRun,
            LongestRunStartMasked = e.LongestRunStartMasked,
            LongestRunRegion = e.LongestRunRegion,
            RunsOf10 = e.RunsOf10,
            NumbersInRunsOf10 = e.NumbersInRunsOf10,
            RunsOf100 = e.RunsOf100,
            NumbersInRunsOf100 = e.NumbersInRunsOf100,
            ShareInRunsOf100 = ctx.ExactOrPoint(e.NumbersInRunsOf100, e.DistinctNumbers),
            RunLengthHistogram = histogram,
            ByCountry = countries,
        };
    }

    /// <summary>Lowercase A-label form of a claimed domain; a leading "@", "www." or URL scheme is dropped.</summary>
    internal static string? NormalizeDomain(string? claimed)
    {
        if (string.IsNullOrWhiteSpace(claimed))
        {
            return null;
        }

        var d = claimed.Trim().ToLowerInvariant();
        var scheme = d.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            d = d[(scheme + 3)..];
        }

        d = d.TrimStart('@').TrimEnd('/', '.');
        var slash = d.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            d = d[..slash];
        }

        if (d.StartsWith("www.", StringComparison.Ordinal))
        {
            d = d[4..];
        }

        try
        {
            return new IdnMapping().GetAscii(d);
        }
        catch (ArgumentException)
        {
            return d;
        }
    }
}
