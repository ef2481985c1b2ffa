using System.Globalization;

namespace Leakwatch.Analysis;

/// <summary>The verdict rules. Each finding states its threshold; none is a yes/no on "real": the analyst
/// weighs them, as HIBP does with its five questions.</summary>
public static partial class ReportBuilder
{
    public const double RecycledShare = 0.50;
    public const double RecycledHighShare = 0.80;
    public const double NewShare = 0.10;
    public const double LowValidity = 0.80;
    public const double FabricatedDateShare = 0.05;
    public const double DefaultDateShare = 0.01;
    public const double HighDuplication = 0.30;
    public const double EnumerationHighShare = 0.01;
    public const int EnumerationHighRuns = 10;
    public const double SpamEmailPresence = 0.90;
    public const double SpamOtherPresence = 0.05;
    public const double ClaimedDomainSmall = 0.10;
    public const double DominantDomainShare = 0.05;
    public const double DominantOverClaimed = 3;

    /// <summary>Free-mail and ISP mailbox providers: they dominate any consumer service's users, so they are
    /// not evidence that the data came from another service.</summary>
    private static readonly HashSet<string> Webmail = new(StringComparer.Ordinal)
    {
        "gmail.com", "googlemail.com", "ymail.com", "rocketmail.com", "msn.com", "aol.com", "icloud.com", "me.com",
        "mac.com", "mail.ru", "bk.ru", "inbox.ru", "list.ru", "web.de", "t-online.de", "protonmail.com", "proton.me",
        "qq.com", "163.com", "126.com", "sina.com", "naver.com", "daum.net", "rediffmail.com", "orange.fr", "free.fr",
        "laposte.net", "sfr.fr", "wanadoo.fr", "libero.it", "virgilio.it", "alice.it", "tin.it", "uol.com.br",
        "bol.com.br", "terra.com.br", "btinternet.com", "sky.com", "comcast.net", "verizon.net", "att.net",
        "sbcglobal.net", "cox.net", "charter.net", "mynet.com", "zoho.com", "mail.com", "fastmail.com",
        "tutanota.com", "prodigy.net.mx", "seznam.cz", "wp.pl", "o2.pl", "interia.pl", "rambler.ru",
    };

    /// <summary>Provider brands registered under many country domains (yahoo.co.uk, hotmail.com.br…).</summary>
    private static readonly string[] WebmailBrands = ["yahoo", "hotmail", "outlook", "live", "yandex", "gmx", "windowslive"];

    internal static bool IsWebmail(string domain)
    {
        if (Webmail.Contains(domain))
        {
            return true;
        }

        var dot = domain.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && Array.IndexOf(WebmailBrands, domain[..dot]) >= 0;
    }

    private static DomainCheck? CheckDomain(string? claimedDomain, AnalysisAccumulator acc, RatioMaker ctx)
    {
        var claimed = NormalizeDomain(claimedDomain);
        if (claimed is null)
        {
            return null;
        }

        long claimedCount = 0;
        string? dominant = null;
        long dominantCount = 0;
        foreach (var (domain, count) in acc.Domains)
        {
            if (domain == claimed || domain.EndsWith("." + claimed, StringComparison.Ordinal))
            {
                claimedCount += count;
            }
            else if (!IsWebmail(domain) && (count > dominantCount || (count == dominantCount && string.CompareOrdinal(domain, dominant) < 0)))
            {
                dominant = domain;
                dominantCount = count;
            }
        }

        var total = acc.ValidEmails;
        var claimedShare = total == 0 ? 0 : (double)claimedCount / total;
        var dominantShare = total == 0 ? 0 : (double)dominantCount / total;
        var mismatch = total > 0 && claimedShare < ClaimedDomainSmall && dominantShare >= DominantDomainShare
            && dominantCount >= DominantOverClaimed * claimedCount;
        return new DomainCheck
        {
            ClaimedDomain = claimed,
            ClaimedCount = claimedCount,
            ClaimedShare = ctx.Of(claimedCount, total),
            DominantDomain = dominantCount >= MinCountToShow ? dominant : null,
            DominantCount = dominantCount,
            DominantShare = dominant is null ? null : ctx.ExactOrPoint(dominantCount, total),
            Mismatch = mismatch,
        };
    }

    private static List<Finding> Verdicts(VerificationReport r, ReportInputs inputs, AnalysisAccumulator acc)
    {
        var findings = new List<Finding>();
        RecycledOrNew(r, findings);
        ScrapedByEnumeration(r, findings);
        DomainMismatch(r, findings);
        // Shape signals, each also a vote towards "fabricated".
        var fabricationSignals = new List<string>();
        LowValidityFields(r, findings, fabricationSignals);
        DefaultBirthDates(r, findings, fabricationSignals);
        DuplicatedRows(r, findings, fabricationSignals);
        Fabricated(findings, fabricationSignals);
        SpamList(r, inputs, acc, findings);
        return findings;
    }

    /// <summary>How much of the dump earlier breaches already hold.</summary>
    private static void RecycledOrNew(VerificationReport r, List<Finding> findings)
    {
        var identifiers = r.Distinct.Email + r.Distinct.Phone;
        if (r.SeenBefore is { } seen && identifiers > 0)
        {
            var ratio = seen.IdentifierRatio;
            var evidence = new List<string>
            {
                $"{N(seen.Emails + seen.Phones)} of {N(identifiers)} distinct identifiers ({P(ratio)}) are in earlier breaches: {N(seen.Emails)} of {N(r.Distinct.Email)} emails, {N(seen.Phones)} of {N(r.Distinct.Phone)} phones",
            };
            if (!seen.Exact)
            {
                evidence.Add("union over breaches not given: the largest single-breach overlap is used, a lower bound");
            }

            for (var i = 0; i < r.Overlap.Count && i < 3; i++)
            {
                var o = r.Overlap[i];
                if (o.Emails + o.Phones > 0)
                {
                    evidence.Add($"{o.Breach}: {P(o.EmailRatio)} of emails, {P(o.PhoneRatio)} of phones");
                }
            }

            // A partial sample's overlap has no interval (see SampleVerifier): its point estimate never earns "high".
            var unbounded = r.Sample is { Complete: false } && ratio.Low is null;
            if (ratio.Value >= RecycledShare)
            {
                var sure = ratio.Low ?? ratio.Value;
                var confidence = sure >= RecycledHighShare && !unbounded ? "high" : sure >= RecycledShare ? "medium" : "low";
                findings.Add(new Finding("likely-recycled", confidence, evidence,
                    $"recycled when >= {P(RecycledShare)} of the dump's distinct identifiers (emails + phones) were already in earlier breaches; high confidence from {P(RecycledHighShare)}"));
            }
            else if (ratio.Value < NewShare && seen.Exact)
            {
                var sure = ratio.High ?? ratio.Value;
                findings.Add(new Finding("likely-new", sure < NewShare && !unbounded ? "medium" : "low", evidence,
                    $"new when < {P(NewShare)} of distinct identifiers are in any loaded earlier breach (only as new as the index is complete)"));
            }
        }
    }

    /// <summary>Long runs of consecutive phone numbers.</summary>
    private static void ScrapedByEnumeration(VerificationReport r, List<Finding> findings)
    {
        var e = r.Enumeration;
        if (e.Scope == "population" && e.LongestRun >= NumberRunDetector.LongRun)
        {
            var share = e.ShareInRunsOf100.Value;
            var confidence = share >= EnumerationHighShare || e.RunsOf100 >= EnumerationHighRuns ? "high" : "medium";
            findings.Add(new Finding("likely-scraped-by-enumeration", confidence,
            [
                $"longest run of consecutive valid numbers: {N(e.LongestRun)}, starting {e.LongestRunStartMasked} ({e.LongestRunRegion})",
                $"{N(e.NumbersInRunsOf100)} numbers ({P(e.ShareInRunsOf100)} of {N(e.DistinctNumbers)} distinct) sit in {N(e.RunsOf100)} runs of >= {NumberRunDetector.LongRun}",
                $"{N(e.NumbersInRunsOf10)} numbers sit in {N(e.RunsOf10)} runs of >= {NumberRunDetector.ShortRun}",
            ],
                $"a run of >= {NumberRunDetector.LongRun} consecutive valid numbers in one calling code (subscribers' numbers are scattered; enumeration walks number ranges); high confidence when >= {P(EnumerationHighShare)} of distinct numbers sit in such runs or there are >= {EnumerationHighRuns} such runs"));
        }
    }

    /// <summary>The claimed domain against the emails' dominant domain.</summary>
    private static void DomainMismatch(VerificationReport r, List<Finding> findings)
    {
        if (r.DomainMismatch is { Mismatch: true } dm)
        {
            var strong = dm.ClaimedShare.Value < 0.01 && dm.DominantCount >= 10 * Math.Max(1, dm.ClaimedCount);
            findings.Add(new Finding("domain-mismatch", strong ? "high" : "medium",
            [
                $"claimed domain {dm.ClaimedDomain}: {N(dm.ClaimedCount)} emails ({P(dm.ClaimedShare)} of valid emails)",
                $"{dm.DominantDomain ?? $"a domain on fewer than {MinCountToShow} rows"}: {N(dm.DominantCount)} emails ({P(dm.DominantShare!)})",
            ],
                $"mismatch when the claimed domain holds < {P(ClaimedDomainSmall)} of valid emails while another non-webmail domain holds >= {P(DominantDomainShare)} and >= {DominantOverClaimed}x the claimed domain's count (Zoosk 2020: 6.4k zoosk.com vs 88k badoo.com)"));
        }
    }

    /// <summary>Fields whose non-empty values are mostly invalid.</summary>
    private static void LowValidityFields(VerificationReport r, List<Finding> findings, List<string> fabricationSignals)
    {
        var lowValidity = new List<string>();
        void CheckValidity(string field, Ratio? validity)
        {
            if (validity is not null && validity.Value < LowValidity)
            {
                lowValidity.Add($"{field}: {P(validity)} of non-empty values valid");
                fabricationSignals.Add($"{field} validity {P(validity)}");
            }
        }

        CheckValidity("email", r.Validity.Email);
        CheckValidity("phone", r.Validity.Phone);
        CheckValidity("birthdate", r.Validity.Birthdate);
        if (lowValidity.Count > 0)
        {
            findings.Add(new Finding("low-validity", lowValidity.Count > 1 ? "high" : "medium", lowValidity,
                $"a field is flagged when < {P(LowValidity)} of its non-empty values are valid (real exports validate on sign-up; generated or mangled data does not)"));
        }
    }

    /// <summary>One birth date standing out of the calendar.</summary>
    private static void DefaultBirthDates(VerificationReport r, List<Finding> findings, List<string> fabricationSignals)
    {
        if (r.BirthDates.MostCommon is { } common && r.BirthDates.Spikes.Count > 0 && r.BirthDates.Spikes[0].Count == common.Count
            && common.Share.Value >= DefaultDateShare)
        {
            var spike = r.BirthDates.Spikes[0];
            findings.Add(new Finding("default-birthdates", common.Share.Value >= FabricatedDateShare ? "high" : "medium",
            [
                $"{spike.Date} occurs {N(spike.Count)} times ({P(spike.Share)} of valid birth dates), against {spike.Baseline.ToString("0.##", CultureInfo.InvariantCulture)} a day around it",
                $"{r.BirthDates.Spikes.Count} spike date(s) in all",
            ],
                $"a single date holding >= {P(DefaultDateShare)} of valid birth dates and >= {DateSpikeFactor}x the mean of the {SpikeWindowDays} days either side (real birth dates spread over the year)"));
            if (common.Share.Value >= FabricatedDateShare)
            {
                fabricationSignals.Add($"one birth date holds {P(common.Share)}");
            }
        }
    }

    /// <summary>Rows repeated byte for byte.</summary>
    private static void DuplicatedRows(VerificationReport r, List<Finding> findings, List<string> fabricationSignals)
    {
        if (r.Rows > 0 && r.DuplicateRatio.Value >= HighDuplication)
        {
            findings.Add(new Finding("high-duplication", "medium",
                [r.Sample is { Complete: false }
                    ? $"an estimated {P(r.DuplicateRatio)} of the dump's rows repeat an earlier row byte for byte ({N(r.DuplicateRows)} repeats within the {N(r.Rows)}-row sample, scaled by the sampling fraction)"
                    : $"{N(r.DuplicateRows)} of {N(r.Rows)} rows ({P(r.DuplicateRatio)}) repeat an earlier row byte for byte"],
                $"flagged when >= {P(HighDuplication)} of rows are exact duplicates (concatenated or padded dumps)"));
            fabricationSignals.Add($"{P(r.DuplicateRatio)} duplicate rows");
        }
    }

    /// <summary>The shape signals' vote.</summary>
    private static void Fabricated(List<Finding> findings, List<string> fabricationSignals)
    {
        if (fabricationSignals.Count >= 2)
        {
            findings.Add(new Finding("likely-fabricated", fabricationSignals.Count >= 3 ? "high" : "medium", fabricationSignals,
                $"fabricated when >= 2 independent shape signals hold: a field < {P(LowValidity)} valid (each field counts), one birth date >= {P(FabricatedDateShare)} of valid dates, >= {P(HighDuplication)} duplicate rows; high confidence from 3"));
        }
    }

    /// <summary>Rows that carry an email and little else.</summary>
    private static void SpamList(VerificationReport r, ReportInputs inputs, AnalysisAccumulator acc, List<Finding> findings)
    {
        if (r.Rows > 0)
        {
            var emailPresence = (double)(acc.ValidEmails + inputs.InvalidEmail) / r.Rows;
            var phonePresence = (double)(acc.ValidPhones + inputs.InvalidPhone) / r.Rows;
            var datePresence = (double)(acc.ValidBirthDates + inputs.InvalidBirthdate) / r.Rows;
            long genderValues = 0;
            foreach (var g in acc.Genders)
            {
                genderValues += g;
            }

            var genderPresence = (double)genderValues / r.Rows;
            if (emailPresence >= SpamEmailPresence && phonePresence < SpamOtherPresence && datePresence < SpamOtherPresence && genderPresence < SpamOtherPresence)
            {
                findings.Add(new Finding("likely-spam-list", r.Rows >= 1000 ? "medium" : "low",
                [
                    $"{P(emailPresence)} of rows carry an email; phone {P(phonePresence)}, birth date {P(datePresence)}, gender {P(genderPresence)}",
                    $"{N(r.DistinctEmailDomains)} distinct email domains",
                ],
                    $"spam/combo-list shape when >= {P(SpamEmailPresence)} of rows have an email and phone, birth date and gender each appear in < {P(SpamOtherPresence)} of rows (a service's user table carries more than addresses)"));
            }
        }
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string P(Ratio r) => r.Low is { } low && r.High is { } high
        ? $"{P(r.Value)} [95% {P(low)}-{P(high)}]"
        : P(r.Value);

    private static string P(double v) => (v * 100).ToString(v * 100 >= 10 || v == 0 ? "0.#" : "0.##", CultureInfo.InvariantCulture) + "%";
}
