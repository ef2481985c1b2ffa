namespace Leakwatch.Ingest.Stealer;

/// <summary>
/// Orders login references (<c>worker &lt;&lt; 40 | index</c> in the low 64 bits) by their line key in a paged
/// store: the whole email (by website) or its alias (by email domain), ordinal, then by the reference. Used only
/// within a run of equal key hashes, so it nearly never compares two different keys.
/// </summary>
internal readonly struct StealerLoginOrder(StealerLogins[] logins, bool aliasOnly) : IComparer<UInt128>
{
    public int Compare(UInt128 x, UInt128 y)
    {
        var c = Key(logins, aliasOnly, (ulong)x).SequenceCompareTo(Key(logins, aliasOnly, (ulong)y));
        return c != 0 ? c : ((ulong)x).CompareTo((ulong)y);
    }

    /// <summary>The line key of a login reference.</summary>
    public static ReadOnlySpan<char> Key(StealerLogins[] logins, bool aliasOnly, ulong reference)
    {
        var email = logins[(int)(reference >> 40)].Email((int)(reference & 0xFF_FFFF_FFFFUL));
        return aliasOnly ? email[..email.IndexOf('@')] : email;
    }
}
