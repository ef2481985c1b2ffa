using System.Runtime.CompilerServices;
using Leakwatch.Index;
using Leakwatch.Passwords;

namespace Leakwatch.Ingest.Stealer;

/// <summary>One normalization thread's stealer-log state: its password hasher, its sorter of (email key, domain id)
/// pairs, its logins for the domain stores, its counts. Owned by one thread, so no locks on the hot path.</summary>
internal sealed class UlpWorker(PasswordHasher passwords, ExternalSorter sites, StealerDomainTable domains)
{
    private const int MaxReservedLogins = 1 << 22;
    private const int ReservedCharsPerLogin = 24;
    private static readonly UInt128 IdMask = ((UInt128)1 << 48) - 1;

    public readonly PasswordHasher Passwords = passwords;
    public readonly ExternalSorter Sites = sites;
    public readonly StealerLogins Logins = new();
    public long EmailsIndexed;
    public long UsernamesSkipped;
    public long InvalidEmails;

    /// <summary>This thread's copy of the ids it has met: a plain dictionary probe on the span, no shared state.</summary>
    private readonly Dictionary<string, long> _known = new(StringComparer.Ordinal);

    /// <summary>Sizes this thread's buffers for about <paramref name="lines"/> lines (an estimate from the input's size),
    /// and the password spill for <paramref name="totalLines"/>.</summary>
    public void Reserve(long lines, long totalLines)
    {
        // Beyond 4M logins a thread (~200 MB of arena) the arena grows by doubling as before: an estimate from a file of
        // long lines overshoots, and must not commit much memory no line asked for.
        var logins = (int)Math.Min(lines, MaxReservedLogins);
        Sites.Reserve(logins);
        Logins.Reserve(logins, logins * ReservedCharsPerLogin);
        Passwords.Reserve(totalLines);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSite(UInt128 emailKey, ReadOnlySpan<char> email, ReadOnlySpan<char> domain)
    {
        EmailsIndexed++;
        if (!domain.IsEmpty)
        {
            var known = _known.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!known.TryGetValue(domain, out var id))
            {
                id = domains.IdOf(domain);
                known[domain] = id;
            }

            Sites.Add(IndexKeys.Truncate(emailKey) | ((UInt128)(ulong)id & IdMask));
            Logins.Add(email, id);
        }
    }
}
