namespace Leakwatch.Core;

/// <summary>Maps the spellings found in dump gender columns to <see cref="Gender"/>.</summary>
public static class GenderNormalizer
{
    // Kept modest on purpose: a short ambiguous token (e.g. "h" is "homme" in French but "hembra"
    // in Spanish) would mislabel more records than it helps, so only unambiguous words are listed.
    public static Gender Parse(ReadOnlySpan<char> s)
    {
        var value = s.Trim();
        if (value.IsEmpty || value.Length > 16)
            return Gender.Unknown;

        Span<char> lower = stackalloc char[value.Length];
        // Nearly every value is ASCII ("m", "female"): the ASCII fold is several times cheaper than the invariant one.
        if (System.Text.Ascii.ToLower(value, lower, out _) != System.Buffers.OperationStatus.Done)
            value.ToLowerInvariant(lower);

        return lower switch
        {
            "m" or "male" or "man" or "masculine" or "homme" or "masculin" or "hombre" or "masculino"
                or "mann" or "männlich" or "maschio" or "uomo" => Gender.Male,
            "f" or "female" or "woman" or "feminine" or "femme" or "féminin" or "mujer" or "femenino"
                or "frau" or "weiblich" or "femmina" or "donna" => Gender.Female,
            "other" or "o" or "nonbinary" or "non-binary" or "non binary" or "nb" or "x" or "diverse"
                or "divers" or "autre" => Gender.Other,
            _ => Gender.Unknown,
        };
    }
}
