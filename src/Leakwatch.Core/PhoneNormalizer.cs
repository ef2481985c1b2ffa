using PhoneNumbers;

namespace Leakwatch.Core;

/// <summary>
/// Normalizes phone numbers to E.164, packed as the digits in a <see cref="ulong"/>
/// (+447911123456 → 447911123456). libphonenumber's <c>Parse</c> + <c>IsValidNumber</c> is the
/// reference (<see cref="TryNormalizeSlow"/>); <see cref="TryNormalize"/> answers the common
/// shapes without <c>Parse</c> and defers to the reference for anything it cannot decide exactly.
/// Thread-safe.
/// </summary>
public sealed class PhoneNormalizer
{
    // 19 digits always fit a ulong; E.164 numbers have at most 15, so longer input is never valid
    // unless a national prefix is stripped from it, which the reference path handles.
    private const int MaxPackedDigits = 19;

    // libphonenumber refuses input over 250 chars; leave such input to it rather than mirror that.
    private const int MaxFastInputLength = 200;

    private static readonly PhoneNumberUtil Util = PhoneNumberRules.Util;

    private readonly string? _region;
    private readonly PhoneNumberRules.RegionRules? _regionRules;

    /// <summary>
    /// <paramref name="defaultRegion"/>: ISO 3166 alpha-2 code (any case) for numbers written in
    /// national format, or null (or blank) when there is none; then digits without '+' are read
    /// as starting with a country calling code, as in the 2021 533M leak.
    /// </summary>
    /// <exception cref="ArgumentException">The region is not one libphonenumber knows.</exception>
    public PhoneNormalizer(string? defaultRegion)
    {
        if (string.IsNullOrWhiteSpace(defaultRegion))
            return;
        var region = defaultRegion.Trim().ToUpperInvariant();
        if (!IsKnownRegion(region))
            throw new ArgumentException(
                $"Unknown phone region '{defaultRegion}': expected an ISO 3166 alpha-2 country code such as US, GB or DE.",
                nameof(defaultRegion));
        _region = region;
        _regionRules = PhoneNumberRules.ForRegion(region);
    }

    /// <summary>True for an ISO 3166 alpha-2 code (any case, surrounding blanks ignored) that libphonenumber knows.</summary>
    public static bool IsKnownRegion(string region) => Util.GetSupportedRegions().Contains(region.Trim().ToUpperInvariant());

    /// <summary>The default region (upper case), or null.</summary>
    public string? DefaultRegion => _region;

    /// <summary>Normalizes to E.164 digits; false if the number is not valid or has an extension.</summary>
    public bool TryNormalize(ReadOnlySpan<char> input, out ulong e164)
    {
        return TryNormalizeFast(input, out e164) switch
        {
            FastOutcome.Valid => true,
            FastOutcome.Invalid => false,
            _ => TryNormalizeSlow(input, out e164),
        };
    }

    /// <summary>The reference path: libphonenumber <c>Parse</c> + <c>IsValidNumber</c> only.</summary>
    public bool TryNormalizeSlow(ReadOnlySpan<char> input, out ulong e164)
    {
        e164 = 0;
        var trimmed = input.Trim();
        if (trimmed.IsEmpty)
            return false;

        // Without a region, bare digits are read as international: that is what '+' tells libphonenumber. So is
        // a leading 00, the international call prefix of most of the world (ITU-T E.164), which then stands for '+'.
        var text = _region is null && !IsPlus(trimmed[0])
            ? string.Concat("+", trimmed[(StartsWithDoubleZero(trimmed) ? 2 : 0)..])
            : trimmed.ToString();
        PhoneNumber number;
        try
        {
            number = Util.Parse(text, _region);
        }
        catch (NumberParseException)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(number.Extension) || !Util.IsValidNumber(number))
            return false;

        var nationalSignificant = Util.GetNationalSignificantNumber(number);
        return TryPack(number.CountryCode, nationalSignificant, out e164);
    }

    /// <summary>
    /// "00" (ASCII or fullwidth zeros) at the start: the international call prefix, which stands for '+' when no
    /// default region is set.
    /// </summary>
    public static bool StartsWithDoubleZero(ReadOnlySpan<char> text)
        => text.Length >= 2 && text[0] is '0' or '\uFF10' && text[1] is '0' or '\uFF10';

    /// <summary>Writes <c>+digits</c>; returns the number of chars written.</summary>
    public static int FormatE164(ulong e164, Span<char> destination)
    {
        Span<char> digits = stackalloc char[20];
        e164.TryFormat(digits, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
        if (destination.Length < length + 1)
            throw new ArgumentException($"Destination needs {length + 1} chars.", nameof(destination));
        destination[0] = '+';
        digits[..length].CopyTo(destination[1..]);
        return length + 1;
    }

    /// <summary>ISO region of a valid number ("001" for non-geographic services), "ZZ" if unknown.</summary>
    public static string RegionOf(ulong e164)
    {
        var number = ToPhoneNumber(e164);
        return number is null ? "ZZ" : Util.GetRegionCodeForNumber(number) ?? "ZZ";
    }

    /// <summary>The country calling code the number starts with, or 0 if none is known.</summary>
    public static int CountryCodeOf(ulong e164)
    {
        Span<char> digits = stackalloc char[20];
        e164.TryFormat(digits, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
        return PhoneNumberRules.ExtractCallingCode(digits[..length], out _);
    }

    private enum FastOutcome : byte { Unsure, Valid, Invalid }

    /// <summary>
    /// Replays libphonenumber's parse for input made only of an optional leading '+', ASCII digits
    /// and the separators <c>space - . ( ) /</c>. Every branch either reproduces the library's
    /// decision from the same metadata or returns <see cref="FastOutcome.Unsure"/>.
    /// </summary>
    private FastOutcome TryNormalizeFast(ReadOnlySpan<char> input, out ulong e164)
    {
        e164 = 0;
        var text = input.Trim();
        if (text.IsEmpty || text.Length > MaxFastInputLength)
            return FastOutcome.Unsure;

        var hasPlus = text[0] == '+';
        // Without a region a leading 00 stands for '+' (as in TryNormalizeSlow).
        var doubleZero = !hasPlus && _regionRules is null && StartsWithDoubleZero(text);
        Span<char> digitBuffer = stackalloc char[MaxPackedDigits];
        var count = 0;
        for (var i = hasPlus ? 1 : doubleZero ? 2 : 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (count == MaxPackedDigits)
                    return FastOutcome.Unsure;
                digitBuffer[count++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/'))
            {
                return FastOutcome.Unsure; // letters (vanity numbers, "ext"), '#', ',', '+' inside, Unicode…
            }
        }
        // Very short input hits libphonenumber's viability and IDD corner cases; not worth mirroring.
        if (count < 4)
            return FastOutcome.Unsure;
        var digits = digitBuffer[..count];

        return hasPlus || _regionRules is null
            ? ResolveInternational(digits, out e164)
            : ResolveNational(_regionRules, digits, out e164);
    }

    private FastOutcome ResolveInternational(ReadOnlySpan<char> digits, out ulong e164)
    {
        e164 = 0;
        var callingCode = PhoneNumberRules.ExtractCallingCode(digits, out var codeLength);
        if (callingCode == 0)
        {
            // With a region, libphonenumber retries without the '+' (IDD, region's own code…).
            return _regionRules is null ? FastOutcome.Invalid : FastOutcome.Unsure;
        }

        var rest = digits[codeLength..];
        if (rest.Length < PhoneNumberRules.MinNationalLength)
            return FastOutcome.Invalid;
        if (rest.Length > PhoneNumberRules.MaxNationalLength)
            return FastOutcome.Unsure;

        // Even after '+cc' libphonenumber strips a national prefix using the calling code's main region.
        var codeRules = PhoneNumberRules.ForCallingCode(callingCode);
        return Finish(codeRules, codeRules.Main.NationalPrefixLength(rest), rest, out e164);
    }

    private static FastOutcome ResolveNational(PhoneNumberRules.RegionRules region, ReadOnlySpan<char> digits, out ulong e164)
    {
        e164 = 0;
        // An IDD (00, 011…) or the region's own calling code in front makes libphonenumber try the
        // number as international; those decisions are left to it.
        if (region.StartsWithInternationalPrefix(digits) || StartsWithCallingCode(digits, region.CountryCode))
            return FastOutcome.Unsure;

        var codeRules = PhoneNumberRules.ForCallingCode(region.CountryCode);
        return Finish(codeRules, region.NationalPrefixLength(digits), digits, out e164);
    }

    private static FastOutcome Finish(PhoneNumberRules.CallingCodeRules codeRules, int nationalPrefixLength, ReadOnlySpan<char> number, out ulong e164)
    {
        e164 = 0;
        if (nationalPrefixLength < 0)
            return FastOutcome.Unsure;
        var national = number[nationalPrefixLength..];
        if (national.Length is < PhoneNumberRules.MinNationalLength or > PhoneNumberRules.MaxNationalLength)
            return FastOutcome.Invalid;
        // Leading zeros become libphonenumber's "Italian leading zero" fields; let it build those.
        if (national[0] == '0')
            return FastOutcome.Unsure;
        if (!codeRules.IsValid(national))
            return FastOutcome.Invalid;
        return TryPack(codeRules.Code, national, out e164) ? FastOutcome.Valid : FastOutcome.Invalid;
    }

    private static bool StartsWithCallingCode(ReadOnlySpan<char> digits, int callingCode)
    {
        Span<char> code = stackalloc char[3];
        callingCode.TryFormat(code, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
        return digits.StartsWith(code[..length]);
    }

    private static bool TryPack(int callingCode, ReadOnlySpan<char> nationalSignificant, out ulong e164)
    {
        e164 = 0;
        var codeDigits = callingCode >= 100 ? 3 : callingCode >= 10 ? 2 : 1;
        if (codeDigits + nationalSignificant.Length > MaxPackedDigits)
            return false;
        var value = (ulong)callingCode;
        foreach (var c in nationalSignificant)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            value = value * 10 + (ulong)(c - '0');
        }
        e164 = value;
        return true;
    }

    private static PhoneNumber? ToPhoneNumber(ulong e164)
    {
        Span<char> digits = stackalloc char[20];
        e164.TryFormat(digits, out var length, default, System.Globalization.CultureInfo.InvariantCulture);
        var callingCode = PhoneNumberRules.ExtractCallingCode(digits[..length], out var codeLength);
        var national = digits[codeLength..length];
        if (callingCode == 0 || national.IsEmpty)
            return null;

        var builder = PhoneNumber.CreateBuilder();
        builder.CountryCode = callingCode;
        builder.NationalNumber = ulong.Parse(national, provider: System.Globalization.CultureInfo.InvariantCulture);
        var zeros = 0;
        while (zeros < national.Length - 1 && national[zeros] == '0')
            zeros++;
        if (zeros > 0)
            builder.NumberOfLeadingZeros = zeros; // libphonenumber's "Italian leading zero" (e.g. +39 06…)
        return builder.Build();
    }

    private static bool IsPlus(char c) => c is '+' or '\uFF0B';
}
