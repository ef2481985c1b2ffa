using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Bogus;

namespace Leakwatch.Synthetic.Internal;

internal static class PersonPools
{
    private const int Names = 300;
    private const int Cities = 120;
    private const int Employers = 200;

    private static readonly ConcurrentDictionary<(string Locale, int Seed), LocalePool> Cache = new();

    /// <summary>The pool of a locale for a seed (cached: building it costs a few milliseconds of Bogus).</summary>
    public static LocalePool Get(string locale, int seed) => Cache.GetOrAdd((locale, seed), static key => Build(key.Locale, key.Seed));

    private static LocalePool Build(string locale, int seed)
    {
        int localeSeed = seed ^ (int)(Rng.Derive(seed, (ulong)StableHash(locale)) & 0x7FFFFFFF);
        var faker = new Faker(locale) { Random = new Randomizer(localeSeed) };
        var latin = new Faker("en") { Random = new Randomizer(localeSeed + 1) };
        string[] male = Draw(Names, () => faker.Name.FirstName(Bogus.DataSets.Name.Gender.Male));
        string[] female = Draw(Names, () => faker.Name.FirstName(Bogus.DataSets.Name.Gender.Female));
        string[] last = Draw(Names, () => faker.Name.LastName());
        string[] maleLatin = Draw(Names, () => latin.Name.FirstName(Bogus.DataSets.Name.Gender.Male));
        string[] femaleLatin = Draw(Names, () => latin.Name.FirstName(Bogus.DataSets.Name.Gender.Female));
        string[] lastLatin = Draw(Names, () => latin.Name.LastName());
        return new LocalePool
        {
            MaleFirst = male,
            FemaleFirst = female,
            Last = last,
            City = Draw(Cities, () => faker.Address.City()),
            Employer = Draw(Employers, () => faker.Company.CompanyName()),
            MaleSlug = Slugs(male, maleLatin),
            FemaleSlug = Slugs(female, femaleLatin),
            LastSlug = Slugs(last, lastLatin),
        };
    }

    private static string[] Draw(int count, Func<string> next)
    {
        var result = new string[count];
        for (int i = 0; i < count; i++) result[i] = Clean(next());
        return result;
    }

    /// <summary>No field separators of the colon shape and no line breaks, so no shape ever needs them escaped.</summary>
    public static string Clean(string s)
    {
        if (s.AsSpan().IndexOfAny(":\r\n\t") < 0) return s.Trim();
        var sb = new StringBuilder(s.Length);
        foreach (char c in s) sb.Append(c is ':' or '\r' or '\n' or '\t' ? ' ' : c);
        return sb.ToString().Trim();
    }

    private static string[] Slugs(string[] names, string[] latin)
    {
        var result = new string[names.Length];
        for (int i = 0; i < names.Length; i++)
        {
            string slug = Slug(names[i]);
            if (slug.Length == 0) slug = Slug(latin[i]);
            result[i] = slug.Length == 0 ? "user" : slug;
        }
        return result;
    }

    /// <summary>Lowercase ASCII letters only (diacritics dropped), at most 20; never digits, so that the
    /// trailing digits of a generated local part are exactly its unique token.</summary>
    public static string Slug(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name.Normalize(NormalizationForm.FormD))
        {
            char lower = char.ToLowerInvariant(c);
            if (lower is >= 'a' and <= 'z') sb.Append(lower);
            if (sb.Length == 20) break;
        }
        return sb.ToString();
    }

    private static int StableHash(string s)
    {
        unchecked
        {
            int h = (int)2166136261;
            foreach (char c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }

    public static readonly string[] Relationships =
        ["", "", "", "", "Single", "Single", "Married", "Married", "In a relationship", "Engaged", "It's complicated", "Divorced", "Widowed"];

    internal static string FormatInvariant(long v) => v.ToString(CultureInfo.InvariantCulture);
}
