using System.Globalization;
using Leakwatch.Core;

namespace Leakwatch.Analysis;

/// <summary>Turns exact pipeline counts and merged aggregates into a <see cref="VerificationReport"/>.</summary>
public static partial class ReportBuilder
{
    /// <summary>A full birth date is printed only when at least this many rows share it (k-anonymity).</summary>
    public const int MinCountToShowDate = 10;

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
        var ctx = new RatioMaker(inputs.Sample is not null);
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
            DuplicateRatio = ctx.Of(inputs.DuplicateRows, inputs.Rows),
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

        private static double Round(double v) => Math.Round(v, 6, MidpointRounding.ToEven);
    }

    private static List<CategoryShare> TopOf(IReadOnlyDictionary<string, long> counts, long total, int top, RatioMaker ctx)
    {
        var items = new List<KeyValuePair<string, long>>(counts);
        items.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var result = new List<CategoryShare>(Math.Min(top, items.Count));
        for (var i = 0; i < items.Count && i < top; i++)
        {
            result.Add(new CategoryShare(items[i].Key, items[i].Value, ctx.Of(items[i].Value, total)));
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
            return c != 0 ? c : a.CallingCode.CompareTo(b.CallingCode);
        });
        if (rows.Count > top)
        {
            rows.RemoveRange(top, rows.Count - top);
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

        var firstYear = AnalysisAccumulator.FirstDay.AddDays(first).Year;
        var lastYear = AnalysisAccumulator.FirstDay.AddDays(last).Year;
        var yearCounts = new long[lastYear - firstYear + 1];
        for (var d = first; d <= last; d++)
        {
            yearCounts[AnalysisAccumulator.FirstDay.AddDays(d).Year - firstYear] += days[d];
        }

        var years = new List<YearCount>(yearCounts.Length);
        for (var y = 0; y < yearCounts.Length; y++)
        {
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

        var mostCommon = new MostCommonDate(days[best] >= MinCountToShowDate ? DateText(best) : null, days[best], ctx.Of(days[best], total));
        return new BirthDateSummary { Years = years, Spikes = spikes, MostCommon = mostCommon };
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
            list.Add(new OverlapEntry(breach, emails, phones, ctx.Of(emails, inputs.DistinctEmail), ctx.Of(phones, inputs.DistinctPhone)));
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
            EmailRatio = ctx.Of(emails, inputs.DistinctEmail),
            PhoneRatio = ctx.Of(phones, inputs.DistinctPhone),
            IdentifierRatio = ctx.Of(emails + phones, inputs.DistinctEmail + inputs.DistinctPhone),
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
        foreach (var c in e.ByCountry)
        {
            countries.Add(new CountryDensityRow(c.CallingCode, c.Region, c.Numbers,
                Math.Round((double)c.InRunsOf10 / c.Numbers, 6), Math.Round((double)c.InRunsOf100 / c.Numbers, 6)));
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
            ShareInRunsOf100 = ctx.Of(e.NumbersInRunsOf100, e.DistinctNumbers),
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
