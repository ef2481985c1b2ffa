using System.Text;
using Leakwatch.Core.Errors;
using Leakwatch.Index.Stealer;

namespace Leakwatch.Privacy;

/// <summary>
/// One published generation of the domain store, opened under the key file: the sorted aliases of a domain, page by
/// page (<see cref="DomainStoreSealer"/>). The container is the stealer-log website store's
/// (<see cref="StealerSiteFile"/>: a sorted table of 80-bit keys, each with one blob). Thread-safe.
/// </summary>
public sealed class DomainStoreReader : IDisposable
{
    private readonly StealerSiteFile _file;
    private readonly DomainStoreSealer _sealer;

    private DomainStoreReader(StealerSiteFile file, DomainStoreSealer sealer)
    {
        _file = file;
        _sealer = sealer;
    }

    public string Path => _file.Path;

    /// <summary>Entries (pages, and the one check entry).</summary>
    public long Entries => _file.Entries;

    /// <exception cref="LeakwatchException">The store was written under another key file (one line, naming the file).</exception>
    public static DomainStoreReader Open(string path, KeyFile keys)
    {
        var file = StealerSiteFile.Open(path);
        try
        {
            var sealer = new DomainStoreSealer(keys);
            var check = DomainStoreSealer.EntryKey(sealer.Tag(DomainStoreSealer.CheckDomain), 0);
            var opened = file.Find(check) is { } blob && Opens(sealer, check, blob);
            if (!opened)
            {
                throw new LeakwatchException(ErrorKind.DataDir,
                    $"{path}: the domain store does not open with this key file (it was written under another key file)");
            }

            return new DomainStoreReader(file, sealer);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static bool Opens(DomainStoreSealer sealer, UInt128 key, byte[] blob)
    {
        try
        {
            return sealer.Open(key, DomainStoreSealer.CheckDomain, blob).AsSpan().SequenceEqual(DomainStoreSealer.CheckText);
        }
        catch (LeakwatchException)
        {
            return false;
        }
    }

    /// <summary>The aliases recorded for <paramref name="domain"/> (canonical), sorted ordinally; empty when none.</summary>
    public List<string> Aliases(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var result = new List<string>();
        if (domain.Length == 0)
        {
            return result;
        }

        var tag = _sealer.Tag(domain);
        for (var page = 0; page <= ushort.MaxValue; page++)
        {
            var key = DomainStoreSealer.EntryKey(tag, page);
            if (_file.Find(key) is not { } blob)
            {
                break;
            }

            var plain = _sealer.Open(key, domain, blob);
            var text = Encoding.UTF8.GetString(plain);
            foreach (var range in text.AsSpan().Split('\n'))
            {
                if (range.End.Value > range.Start.Value)
                {
                    result.Add(text[range]);
                }
            }
        }

        return result;
    }

    public void Dispose() => _file.Dispose();
}
