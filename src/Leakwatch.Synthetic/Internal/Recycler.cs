using System.Globalization;

namespace Leakwatch.Synthetic.Internal;

/// <summary>Re-uses persons of an earlier dump. Three passes over that dump, memory bounded by the recycled volume
/// plus one entry per number block and per email of the earlier dump:
/// <list type="number">
/// <item>count its rows, and note every phone block and every valid email hash in it, so that fresh phones and
/// emails of the new dump never coincide with anything in the earlier one (overlap = exactly the recycled persons);</item>
/// <item>sample candidate rows whose phone is valid, not already taken and not adjacent to a taken one, then pick
/// exactly K of them uniformly;</item>
/// <item>during generation, stream the dump again and hand out the picked rows in file order.</item>
/// </list></summary>
internal sealed class Recycler
{
    public sealed record Candidate(long Index, ulong Phone, int CountryCodeDigits, string? Email);

    public HashSet<ulong> ForbiddenBlocks { get; } = [];
    public HashSet<ulong> ForbiddenEmailHashes { get; } = [];
    public List<Candidate> Chosen { get; } = [];
    public HashSet<string> RecycledEmails { get; } = new(StringComparer.Ordinal);
    private readonly string _path;

    private Recycler(string path) => _path = path;

    public static Recycler Prepare(string path, long wanted, Rng rng)
    {
        var r = new Recycler(path);
        long rows = 0;
        foreach (string[] row in DumpIo.ReadRows(path))
        {
            rows++;
            string digits = Digits(row[Fields.Phone]);
            if (digits.Length is >= 5 and <= 19 && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong p))
                r.ForbiddenBlocks.Add(PhoneFactory.BlockOf(p));
            if (row[Fields.Email].Length > 0 && EmailRules.Normalize(row[Fields.Email]) is string email)
                r.ForbiddenEmailHashes.Add(EmailRules.Hash(email));
        }
        if (rows == 0 || wanted <= 0) return r;

        double p2 = Math.Min(1.0, 1.5 * wanted / rows);
        var candidates = new List<Candidate>();
        var taken = new HashSet<ulong>();
        long index = 0;
        foreach (string[] row in DumpIo.ReadRows(path))
        {
            long i = index++;
            if (!rng.Chance(p2)) continue;
            if (Country.LibNormalize(Digits(row[Fields.Phone])) is not ulong phone) continue;
            if (taken.Contains(phone) || taken.Contains(phone - 1) || taken.Contains(phone + 1)) continue;
            taken.Add(phone);
            string? email = row[Fields.Email].Length > 0 && EmailRules.Normalize(row[Fields.Email]) is not null ? row[Fields.Email] : null;
            int ccDigits = Country.DigitCount((ulong)Country.CountryCodeOf(phone));
            candidates.Add(new Candidate(i, phone, ccDigits, email));
        }
        long need = Math.Min(wanted, candidates.Count);
        for (int j = 0; j < candidates.Count && need > 0; j++)
        {
            if ((ulong)rng.NextULong((ulong)(candidates.Count - j)) < (ulong)need)
            {
                r.Chosen.Add(candidates[j]);
                if (candidates[j].Email is string e) r.RecycledEmails.Add(EmailRules.Normalize(e)!);
                need--;
            }
        }
        return r;
    }

    /// <summary>The chosen rows, in file order, with their candidate facts.</summary>
    public IEnumerable<(string[] Row, Candidate Facts)> Stream()
    {
        if (Chosen.Count == 0) yield break;
        int next = 0;
        long index = 0;
        foreach (string[] row in DumpIo.ReadRows(_path))
        {
            if (index++ != Chosen[next].Index) continue;
            yield return (row, Chosen[next]);
            if (++next == Chosen.Count) yield break;
        }
        throw new InvalidDataException($"{_path} changed while recycling from it");
    }

    public static string Digits(string s)
    {
        Span<char> buffer = stackalloc char[32];
        int n = 0;
        foreach (char c in s)
        {
            if (c is >= '0' and <= '9')
            {
                if (n == buffer.Length) return "";
                buffer[n++] = c;
            }
        }
        return new string(buffer[..n]);
    }
}
