using System.Globalization;
using System.Runtime.CompilerServices;

namespace Leakwatch.Core;

/// <summary>
/// Canonical form of an email address for indexing: trimmed, lowercase, domain as A-labels.
/// Validity follows the rules HIBP publishes for its EmailAddressExtractor, so that what we index
/// is what HIBP would have counted.
/// </summary>
public static class EmailNormalizer
{
    /// <summary>Longest normalized address we accept (64 local + '@' + 255 domain).</summary>
    public const int MaxLength = 320;

    private const int MaxLocalLength = 64;
    private const int MinDomainLength = 4;
    private const int MaxDomainLength = 255;
    private const int MaxLabelLength = 63;

    // IdnMapping holds only its two option flags and GetAscii does not mutate them, so one shared
    // instance is safe across threads.
    private static readonly IdnMapping Idn = new();

    /// <summary>
    /// Normalizes <paramref name="input"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxLength"/> chars). Returns false if the address is not valid.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> input, Span<char> destination, out int written)
    {
        if (destination.Length < MaxLength)
            throw new ArgumentException($"Destination must hold at least {MaxLength} chars.", nameof(destination));

        written = 0;
        var trimmed = input.Trim(); // char.IsWhiteSpace, so NBSP and other Unicode spaces go too
        var at = trimmed.IndexOf('@');
        if (at <= 0 || at > MaxLocalLength || trimmed.Slice(at + 1).Contains('@'))
            return false;

        var local = trimmed[..at];
        var domain = trimmed[(at + 1)..];
        if (!TryWriteLocalPart(local, destination))
            return false;
        destination[at] = '@';

        int domainLength;
        if (!System.Text.Ascii.IsValid(domain))
        {
            // Unicode domains are rare; allocating here keeps the ASCII path allocation-free.
            if (!TryToAsciiDomain(domain, destination[(at + 1)..], out domainLength))
                return false;
        }
        else
        {
            if (domain.Length > MaxDomainLength)
                return false;
            domainLength = System.Text.Ascii.ToLower(domain, destination[(at + 1)..], out var lowered) == System.Buffers.OperationStatus.Done
                ? lowered
                : -1;
            if (domainLength < 0)
                return false;
        }

        if (!IsValidDomain(destination.Slice(at + 1, domainLength)))
            return false;

        written = at + 1 + domainLength;
        return true;
    }

    /// <summary>
    /// <see cref="TryNormalize"/> for an address given as UTF-8 made only of printable ASCII without spaces
    /// (0x21–0x7E, which the caller checks), normalized into bytes: the same rules, the same answer. Bulk checks
    /// take this path for almost every line, so it spares them decoding each line to UTF-16 and encoding the result
    /// back for the hash. Fully optimised from the first call: in a two-second <c>check --file</c>, the tiered
    /// versions of the char path ran instrumented for profile-guided optimisation during much of the run.
    /// Only bulk checks call it, so a one-shot <c>check</c> never compiles it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryNormalizeAscii(ReadOnlySpan<byte> input, Span<byte> destination, out int written)
    {
        if (destination.Length < MaxLength)
            throw new ArgumentException($"Destination must hold at least {MaxLength} bytes.", nameof(destination));

        written = 0;
        // Plain loops rather than the vectorised span helpers: addresses are short, and in a short process the
        // helpers ran their instrumented tier.
        var at = -1;
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == '@')
            {
                if (at >= 0)
                    return false;
                at = i;
            }
        }
        if (at <= 0 || at > MaxLocalLength)
            return false;

        var local = input[..at];
        var domain = input[(at + 1)..];
        if (local[0] == '.' || local[^1] == '.')
            return false;
        byte previous = 0;
        for (var i = 0; i < local.Length; i++)
        {
            var c = local[i];
            if (c is >= (byte)'A' and <= (byte)'Z')
                c = (byte)(c | 0x20);
            else if (!(c is >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'+' or (byte)'-' or (byte)'.'))
                return false;
            if (c == '.' && previous == '.')
                return false;
            destination[i] = c;
            previous = c;
        }

        destination[at] = (byte)'@';
        if (domain.Length is < MinDomainLength or > MaxDomainLength)
            return false;
        var lowered = destination.Slice(at + 1, domain.Length);
        for (var i = 0; i < domain.Length; i++)
        {
            var c = domain[i];
            lowered[i] = c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c;
        }
        if (!IsValidAsciiDomain(lowered))
            return false;

        written = at + 1 + domain.Length;
        return true;
    }

    /// <summary><see cref="IsValidDomain"/> over lowercase ASCII bytes (widened on the stack: one set of rules).</summary>
    private static bool IsValidAsciiDomain(ReadOnlySpan<byte> domain)
    {
        Span<char> chars = stackalloc char[MaxDomainLength];
        return System.Text.Ascii.ToUtf16(domain, chars, out var n) == System.Buffers.OperationStatus.Done && IsValidDomain(chars[..n]);
    }

    /// <summary>Convenience wrapper: the normalized address, or null if it is not valid.</summary>
    public static string? Normalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Span<char> buffer = stackalloc char[MaxLength];
        return TryNormalize(input, buffer, out var written) ? new string(buffer[..written]) : null;
    }

    private static bool TryWriteLocalPart(ReadOnlySpan<char> local, Span<char> destination)
    {
        if (local[0] == '.' || local[^1] == '.')
            return false;
        var previous = '\0';
        for (var i = 0; i < local.Length; i++)
        {
            var c = local[i];
            if (c is >= 'A' and <= 'Z')
                c = (char)(c | 0x20);
            else if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '+' or '-' or '.'))
                return false; // includes all non-ASCII: HIBP does not index Unicode local parts
            if (c == '.' && previous == '.')
                return false;
            destination[i] = c;
            previous = c;
        }
        return true;
    }

    private static bool TryToAsciiDomain(ReadOnlySpan<char> domain, Span<char> destination, out int written)
    {
        written = 0;
        string ascii;
        try
        {
            ascii = Idn.GetAscii(domain.ToString().ToLowerInvariant());
        }
        catch (ArgumentException)
        {
            return false; // not a mappable IDN (bad code points, empty labels, too long…)
        }
        if (ascii.Length > MaxDomainLength || ascii.Length > destination.Length)
            return false;
        System.Text.Ascii.ToLower(ascii, destination, out written);
        return true;
    }

    /// <summary>LDH labels, at least one dot, and a TLD that IANA has actually delegated.</summary>
    private static bool IsValidDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length is < MinDomainLength or > MaxDomainLength)
            return false;

        var lastDot = -1;
        var labelStart = 0;
        for (var i = 0; i <= domain.Length; i++)
        {
            if (i < domain.Length && domain[i] != '.')
            {
                var c = domain[i];
                if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
                    return false;
                continue;
            }
            var labelLength = i - labelStart;
            if (labelLength is 0 or > MaxLabelLength)
                return false;
            if (domain[labelStart] == '-' || domain[i - 1] == '-')
                return false;
            if (i < domain.Length)
                lastDot = i;
            labelStart = i + 1;
        }

        return lastDot > 0 && TopLevelDomains.Contains(domain[(lastDot + 1)..]);
    }
}
