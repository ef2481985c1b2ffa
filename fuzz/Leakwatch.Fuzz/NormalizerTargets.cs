using System.Text;
using Leakwatch.Core;

namespace Leakwatch.Fuzz;

/// <summary>The one email normalizer and the one phone normalizer every path calls (ingest, lookup, verify,
/// private tier). They take any text and answer yes or no; they throw nothing for any input.</summary>
internal static class NormalizerTargets
{
    /// <summary>Default regions the phone input is read with: none (the 533M-leak reading), and a few plans of
    /// different shapes. The input's first byte picks one.</summary>
    private static readonly PhoneNormalizer[] Phones =
        [new(null), new("US"), new("GB"), new("DE"), new("IS"), new("IN"), new("BR"), new("JP")];

    public static bool NeverThrows(Exception e) => false;

    /// <summary>A normalized address is valid and normalizes to itself.</summary>
    public static void NormalizeEmail(ReadOnlySpan<byte> input)
    {
        var text = Encoding.UTF8.GetString(input);
        Span<char> first = stackalloc char[EmailNormalizer.MaxLength];
        Span<char> second = stackalloc char[EmailNormalizer.MaxLength];
        if (!EmailNormalizer.TryNormalize(text, first, out var n))
        {
            return;
        }

        if (!EmailNormalizer.TryNormalize(first[..n], second, out var m) || !first[..n].SequenceEqual(second[..m]))
        {
            throw new OracleException("a normalized email address does not normalize to itself");
        }
    }

    /// <summary>The fast path answers exactly what libphonenumber's Parse + IsValidNumber (the reference) does,
    /// and a valid number's E.164 form reads back as itself.</summary>
    public static void NormalizePhone(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var phones = Phones[input[0] % Phones.Length];
        var text = Encoding.UTF8.GetString(input[1..]);
        var fast = phones.TryNormalize(text, out var a);
        var slow = phones.TryNormalizeSlow(text, out var b);
        if (fast != slow || a != b)
        {
            throw new OracleException($"fast path ({fast}, {a}) and reference ({slow}, {b}) disagree (region {phones.DefaultRegion ?? "none"})");
        }

        if (fast)
        {
            Span<char> e164 = stackalloc char[24];
            var written = PhoneNormalizer.FormatE164(a, e164);
            if (!phones.TryNormalize(e164[..written], out var again) || again != a)
            {
                throw new OracleException("a normalized phone number's E.164 form does not normalize to itself");
            }
        }
    }
}
