namespace Leakwatch.Reading.Ulp;

/// <summary>
/// Splits one stealer-log ("ULP") line into URL, login and password, on the line's UTF-8 bytes, without allocating.
/// Layouts, mixed freely within a file, with ':' or '|' as the separator:
/// <list type="bullet">
/// <item><c>URL:login:password</c> / <c>URL|login|password</c>. The URL (with or without a scheme, an
///   <c>android://HASH@com.app/</c> one included) ends where its host, port and path end: at the first separator after
///   the host, or, when its path holds ':' (a nested <c>https://</c>, a query), at the first separator whose login is
///   an email (<see cref="PathEnd"/>). The login runs to the next separator of the same kind and the password is the
///   rest, ':' and '|' included.</item>
/// <item><c>login:password:URL</c>. Recognised when the URL has a scheme (the line's last <c>scheme://</c>
///   starts it), or, without one, when the first field holds an '@' or is not a host name while the last field is;
///   the password is everything between the login and the URL.</item>
/// </list>
/// Ambiguities, decided once: a scheme-less first field that looks like a host name (<c>john.doe:pw:site.com</c>)
/// is read as URL-first; <c>host:NNNN:</c> is a port when a separator is still left after it for login and password.
/// The line is never echoed: callers report a <see cref="UlpProblem"/> with the line number only.
/// </summary>
public static class UlpLineParser
{
    /// <summary>Longer lines are not credentials (real ones, long android URLs included, stay under 1 KiB).</summary>
    public const int MaxLineBytes = 4096;

    /// <summary>Longest website domain kept (DNS's limit).</summary>
    public const int MaxDomainBytes = 253;

    /// <summary>The reason's name in counts and messages.</summary>
    public static string ReasonName(UlpProblem problem) => problem switch
    {
        UlpProblem.NoSeparator => "no-separator",
        UlpProblem.NoLogin => "no-login",
        UlpProblem.EmptyPassword => "empty-password",
        UlpProblem.NoUrl => "no-url",
        UlpProblem.Binary => "binary",
        UlpProblem.TooLong => "too-long",
        _ => "none",
    };

    /// <summary>Parses a line without its line ending (a trailing CR is dropped).</summary>
    public static UlpProblem TryParse(ReadOnlySpan<byte> line, out UlpLine result)
    {
        result = default;
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length > MaxLineBytes)
        {
            return UlpProblem.TooLong;
        }

        if (IsBinary(line))
        {
            return UlpProblem.Binary;
        }

        var start = 0;
        while (start < line.Length && line[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        var firstSep = line.IndexOfAny((byte)':', (byte)'|');
        if (firstSep < 0)
        {
            return UlpProblem.NoSeparator;
        }

        if (SchemeLength(line[start..]) > 0)
        {
            return UrlFirst(line, start, scheme: true, out result);
        }

        var lastScheme = line.LastIndexOf("://"u8);
        if (lastScheme > 0)
        {
            return LoginFirstWithScheme(line, start, lastScheme, out result);
        }

        var first = line[start..firstSep];
        if (first.Contains((byte)'@'))
        {
            return LoginFirstBare(line, start, firstSep, out result);
        }

        if (IsHostName(HostPart(first)))
        {
            return UrlFirst(line, start, scheme: false, out result);
        }

        var lastSep = line.LastIndexOf(line[firstSep]);
        if (lastSep > firstSep && IsHostName(HostPart(line[(lastSep + 1)..])))
        {
            return LoginFirstBare(line, start, firstSep, out result);
        }

        return lastSep == firstSep ? UlpProblem.NoSeparator : UlpProblem.NoUrl;
    }

    /// <summary>Writes the line's website domain: the host lowercased (ASCII), without a leading <c>www.</c> or a
    /// trailing dot. An android:// URL's host is the app's package name, kept as given (<c>com.instagram.android</c>).</summary>
    /// <returns>The bytes written (at most <see cref="MaxDomainBytes"/>).</returns>
    public static int WriteDomain(ReadOnlySpan<byte> line, in UlpLine parsed, Span<byte> destination)
    {
        var host = Domain(line[parsed.Host]);
        for (var i = 0; i < host.Length; i++)
        {
            var b = host[i];
            destination[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        return host.Length;
    }

    private static ReadOnlySpan<byte> Domain(ReadOnlySpan<byte> host)
    {
        if (host.Length > 4 && (host[0] | 0x20) == 'w' && (host[1] | 0x20) == 'w' && (host[2] | 0x20) == 'w' && host[3] == '.')
        {
            host = host[4..];
        }

        return host.TrimEnd((byte)'.');
    }

    /// <summary>Control bytes (other than tab), DEL, or U+FFFD (what the reader's byte guard put in place of invalid
    /// UTF-8).</summary>
    private static bool IsBinary(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b < 0x20 && b != (byte)'\t' || b == 0x7F)
            {
                return true;
            }
        }

        return line.IndexOf("\uFFFD"u8) >= 0;
    }

    private static UlpProblem UrlFirst(ReadOnlySpan<byte> line, int start, bool scheme, out UlpLine result)
    {
        result = default;
        var pos = start;
        if (scheme)
        {
            pos += SchemeLength(line[start..]) + 3;
        }

        if (scheme && line[start..].StartsWith("android://"u8) && line[pos..].IndexOfAny((byte)':', (byte)'|') is var sepAt and >= 0
            && line.Slice(pos, sepAt).LastIndexOf((byte)'@') is var hashEnd and >= 0)
        {
            // android://CERT-HASH@com.app/: the hash is base64, which may hold '/'.
            pos += hashEnd + 1;
        }

        var authorityStart = pos;
        while (pos < line.Length && line[pos] is not ((byte)'/' or (byte)'?' or (byte)'#' or (byte)':' or (byte)'|'))
        {
            pos++;
        }

        var authorityEnd = pos;
        var at = line[authorityStart..authorityEnd].LastIndexOf((byte)'@');
        var hostStart = at < 0 ? authorityStart : authorityStart + at + 1;
        pos = SkipPort(line, pos);
        if (pos < line.Length && line[pos] is (byte)'/' or (byte)'?' or (byte)'#')
        {
            pos = PathEnd(line, pos);
        }

        if (pos >= line.Length)
        {
            return UlpProblem.NoSeparator;
        }

        var sep = line[pos];
        var loginStart = pos + 1;
        var loginLength = line[loginStart..].IndexOf(sep);
        if (loginLength < 0)
        {
            return UlpProblem.NoSeparator;
        }

        var host = line[hostStart..authorityEnd];
        if (!IsHost(host, scheme))
        {
            return UlpProblem.NoUrl;
        }

        var login = Trimmed(line, loginStart, loginStart + loginLength);
        var password = new Range(loginStart + loginLength + 1, line.Length);
        return Finish(line, new UlpLine(UlpLayout.UrlFirst, sep, new Range(start, pos), new Range(hostStart, authorityEnd), login, password), out result);
    }

    /// <summary>
    /// Where a URL-first line's path (from <paramref name="pathStart"/>) ends. A path may hold ':' itself (a query with
    /// a nested URL or a time, as logins to single sign-on pages do), so the end is chosen among the separators after
    /// it that still leave a separator of the same kind for the password: a ':' that starts a nested <c>://</c> is
    /// never the end; the first separator whose login looks like an email (<c>local@host.tld</c>) is; failing that, the
    /// first separator that leaves one for the password is, as a username login cannot be told from a piece of the
    /// path. With no such separator the line has no login and password after its URL.
    /// </summary>
    private static int PathEnd(ReadOnlySpan<byte> line, int pathStart)
    {
        const int MaxCandidates = 32;
        var firstWithLogin = -1;
        var pos = pathStart;
        for (var seen = 0; seen < MaxCandidates; seen++)
        {
            var n = line[pos..].IndexOfAny((byte)':', (byte)'|');
            if (n < 0)
            {
                break;
            }

            pos += n;
            if (line[pos] == (byte)':' && line[(pos + 1)..].StartsWith("//"u8))
            {
                pos += 3;
                continue;
            }

            var loginLength = line[(pos + 1)..].IndexOf(line[pos]);
            if (loginLength >= 0)
            {
                if (IsEmailLike(line.Slice(pos + 1, loginLength)))
                {
                    return pos;
                }

                if (firstWithLogin < 0)
                {
                    firstWithLogin = pos;
                }
            }

            pos++;
        }

        // No email login: the first separator that leaves room for a password; with none, the line has no login and
        // password to split (no-separator).
        return firstWithLogin >= 0 ? firstWithLogin : line.Length;
    }

    /// <summary>A login that is an email address by its shape: something before one '@', a host name after it, no
    /// space, '/' or separator in it.</summary>
    private static bool IsEmailLike(ReadOnlySpan<byte> field)
    {
        field = field.Trim((byte)' ');
        var at = field.IndexOf((byte)'@');
        return at > 0 && field.IndexOfAny(" /:|"u8) < 0 && field[(at + 1)..].IndexOf((byte)'@') < 0 && IsHostName(field[(at + 1)..]);
    }

    /// <summary>After the host, <c>:NNNN</c> is a port when a '/' follows it, or a separator with another one after
    /// it (so login and password are still to come); else it is the login.</summary>
    private static int SkipPort(ReadOnlySpan<byte> line, int pos)
    {
        if (pos >= line.Length || line[pos] != (byte)':')
        {
            return pos;
        }

        var digits = pos + 1;
        var end = digits;
        while (end < line.Length && end - digits < 6 && char.IsAsciiDigit((char)line[end]))
        {
            end++;
        }

        if (end == digits || end - digits > 5 || end >= line.Length)
        {
            return pos;
        }

        if (line[end] is (byte)'/' or (byte)'?' or (byte)'#')
        {
            return end;
        }

        return line[end] is (byte)':' or (byte)'|' && line[(end + 1)..].IndexOf(line[end]) >= 0 ? end : pos;
    }

    private static UlpProblem LoginFirstWithScheme(ReadOnlySpan<byte> line, int start, int colonSlashSlash, out UlpLine result)
    {
        result = default;
        var schemeStart = colonSlashSlash;
        while (schemeStart > start && IsSchemeChar(line[schemeStart - 1]))
        {
            schemeStart--;
        }

        while (schemeStart < colonSlashSlash && !char.IsAsciiLetter((char)line[schemeStart]))
        {
            schemeStart++;
        }

        if (schemeStart == colonSlashSlash || schemeStart == start || line[schemeStart - 1] is not ((byte)':' or (byte)'|'))
        {
            return UlpProblem.NoUrl;
        }

        var sep = line[schemeStart - 1];
        var loginEnd = line[start..].IndexOf(sep) + start;
        if (loginEnd == schemeStart - 1)
        {
            // login:URL, or :URL with nothing before.
            return loginEnd == start ? UlpProblem.NoLogin : UlpProblem.NoSeparator;
        }

        var authorityStart = colonSlashSlash + 3;
        if (line[schemeStart..].StartsWith("android://"u8) && line[authorityStart..].LastIndexOf((byte)'@') is var hashEnd and >= 0)
        {
            // android://CERT-HASH@com.app/: the hash is base64, which may hold '/'.
            authorityStart += hashEnd + 1;
        }

        var authorityEnd = authorityStart;
        while (authorityEnd < line.Length && line[authorityEnd] is not ((byte)'/' or (byte)'?' or (byte)'#' or (byte)':' or (byte)'|'))
        {
            authorityEnd++;
        }

        var at = line[authorityStart..authorityEnd].LastIndexOf((byte)'@');
        var hostStart = at < 0 ? authorityStart : authorityStart + at + 1;
        if (!IsHost(line[hostStart..authorityEnd], scheme: true))
        {
            return UlpProblem.NoUrl;
        }

        var parsed = new UlpLine(UlpLayout.LoginFirst, sep, new Range(schemeStart, line.Length), new Range(hostStart, authorityEnd),
            Trimmed(line, start, loginEnd), new Range(loginEnd + 1, schemeStart - 1));
        return Finish(line, parsed, out result);
    }

    private static UlpProblem LoginFirstBare(ReadOnlySpan<byte> line, int start, int firstSep, out UlpLine result)
    {
        result = default;
        var sep = line[firstSep];
        var lastSep = line.LastIndexOf(sep);
        if (lastSep == firstSep)
        {
            return UlpProblem.NoSeparator;
        }

        var urlStart = lastSep + 1;
        while (urlStart < line.Length && line[urlStart] == (byte)' ')
        {
            urlStart++;
        }

        var url = line[urlStart..];
        var hostLength = url.IndexOfAny("/?#"u8) is var h and >= 0 ? h : url.Length;
        if (!IsHostName(url[..hostLength]))
        {
            return UlpProblem.NoUrl;
        }

        var parsed = new UlpLine(UlpLayout.LoginFirst, sep, new Range(urlStart, line.Length), new Range(urlStart, urlStart + hostLength),
            Trimmed(line, start, firstSep), new Range(firstSep + 1, lastSep));
        return Finish(line, parsed, out result);
    }

    private static UlpProblem Finish(ReadOnlySpan<byte> line, UlpLine parsed, out UlpLine result)
    {
        result = parsed;
        if (line[parsed.Login].IsEmpty)
        {
            return UlpProblem.NoLogin;
        }

        if (line[parsed.Password].IsEmpty)
        {
            return UlpProblem.EmptyPassword;
        }

        return UlpProblem.None;
    }

    private static Range Trimmed(ReadOnlySpan<byte> line, int start, int end)
    {
        while (start < end && line[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        while (end > start && line[end - 1] is (byte)' ' or (byte)'\t')
        {
            end--;
        }

        return new Range(start, end);
    }

    /// <summary>The length of a leading <c>scheme</c> followed by <c>://</c> (a letter, then letters, digits, '+',
    /// '-', '.'), or 0.</summary>
    private static int SchemeLength(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !char.IsAsciiLetter((char)s[0]))
        {
            return 0;
        }

        var i = 1;
        while (i < s.Length && i <= 32 && IsSchemeChar(s[i]))
        {
            i++;
        }

        return s[i..].StartsWith("://"u8) ? i : 0;
    }

    private static bool IsSchemeChar(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'-' or (byte)'.';

    /// <summary>A field's host part: up to its first '/', '?' or '#'.</summary>
    private static ReadOnlySpan<byte> HostPart(ReadOnlySpan<byte> field)
    {
        field = field.Trim((byte)' ');
        var end = field.IndexOfAny("/?#"u8);
        return end < 0 ? field : field[..end];
    }

    /// <summary>After a scheme any host of host characters will do (an android package, <c>localhost</c>, an IP);
    /// without one, only a dotted name (<see cref="IsHostName"/>) tells a URL from a login.</summary>
    private static bool IsHost(ReadOnlySpan<byte> host, bool scheme)
    {
        if (!scheme)
        {
            return IsHostName(host);
        }

        var domain = Domain(host);
        if (domain.IsEmpty || domain.Length > MaxDomainBytes)
        {
            return false;
        }

        foreach (var b in domain)
        {
            if (!IsHostChar(b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Dotted labels of host characters, at least two, the last one not all digits.</summary>
    private static bool IsHostName(ReadOnlySpan<byte> host)
    {
        var domain = Domain(host);
        if (domain.Length < 3 || domain.Length > MaxDomainBytes || domain[0] == (byte)'.' || domain.IndexOf(".."u8) >= 0)
        {
            return false;
        }

        var lastDot = domain.LastIndexOf((byte)'.');
        if (lastDot <= 0 || lastDot == domain.Length - 1)
        {
            return false;
        }

        var lastLabelHasLetter = false;
        for (var i = 0; i < domain.Length; i++)
        {
            var b = domain[i];
            if (!IsHostChar(b))
            {
                return false;
            }

            lastLabelHasLetter |= i > lastDot && !char.IsAsciiDigit((char)b);
        }

        return lastLabelHasLetter;
    }

    /// <summary>ASCII letters, digits, '-', '_', '.', and any non-ASCII byte (an internationalised name in UTF-8).</summary>
    private static bool IsHostChar(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' || b >= 0x80;
}
