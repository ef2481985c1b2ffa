using System.Text;
using Leakwatch.Privacy;
using Leakwatch.Storage.Sorting;

namespace Leakwatch.Ingest.Domains;

/// <summary>
/// One normalization thread's share of the domain store's delta: (domain tag, domain, alias) for every valid email
/// it keys. On the reading thread a row costs a dictionary probe on the domain span (no allocation; a new domain
/// costs one HMAC for its tag) and the append of one fixed-size entry and the alias bytes to a buffer
/// (<see cref="DomainAliasBuffer"/>). Past half of <c>budgetBytes</c> (at most 64 MiB) the full buffer goes to a background task that
/// sorts it, deduplicates it and spills it as a sealed run (<see cref="EncryptedTempRuns{TRecord}"/>: a key that
/// dies with the process, the file unlinked at once), while the reader fills the other buffer: double-buffered, so
/// memory stays flat however large the dump, no reader waits on a sort unless the sorts fall behind, and no alias
/// reaches the disk in clear. Not thread-safe: one thread adds; <see cref="Finish"/> runs after it is done.
/// </summary>
internal sealed class DomainAliasCollector : IDisposable
{
    /// <summary>Distinct domains kept between spills; past it the cache starts again (it only saves HMACs).</summary>
    private const int MaxCachedDomains = 1 << 20;

    /// <summary>A buffer's most bytes, whatever the budget. On a small machine the read already keeps every core
    /// busy, so a sort during the read only slows it, while the last sort runs beside the index merge on the core
    /// it leaves idle: a buffer is large enough that a dump of a few million rows spills nothing before the end, and
    /// small enough that a large dump spills during the read and leaves little to sort after it.</summary>
    private const int MaxBufferBytes = 64 << 20;

    private readonly DomainStoreSealer _sealer;
    private readonly EncryptedTempRuns<byte> _runStore;
    private readonly long _bufferBudget;
    private readonly Dictionary<string, DomainInfo> _known = new(StringComparer.Ordinal);
    private DomainAliasBuffer _filling;
    private DomainAliasBuffer? _spare;
    private DomainAliasBuffer? _spilled;
    private Task<ISpilledRun<byte>?>? _spilling;
    private long _generation;

    public DomainAliasCollector(DomainStoreSealer sealer, string tempDir, int budgetBytes)
    {
        _sealer = sealer;
        _runStore = new EncryptedTempRuns<byte>(tempDir, "domains");
        // Two buffers share the budget: one filling, one being spilled.
        _bufferBudget = Math.Clamp(budgetBytes / 2, 1 << 11, MaxBufferBytes);
        _filling = new DomainAliasBuffer(_bufferBudget);
        _filling.Reset(_generation);
    }

    /// <summary>The sealed sorted runs spilled so far (each read once by the merge); complete after <see cref="Finish"/>.</summary>
    public List<ISpilledRun<byte>> Runs { get; } = [];

    /// <summary>After <see cref="Finish"/>: the last buffer, sorted in memory, or null when it held nothing. Its
    /// arena is wiped when the collector is disposed.</summary>
    public DomainAliasBuffer? Resident { get; private set; }

    /// <summary>(domain, alias) pairs added, before deduplication.</summary>
    public long Added { get; private set; }

    /// <summary>A normalized email (as <see cref="Core.EmailNormalizer"/> writes it).</summary>
    public void Add(ReadOnlySpan<char> email)
    {
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            return;
        }

        var domain = email[(at + 1)..];
        var lookup = _known.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(domain, out var info))
        {
            if (Encoding.UTF8.GetByteCount(domain) > byte.MaxValue)
            {
                return;
            }

            if (_known.Count >= MaxCachedDomains)
            {
                // Buffers keep their own references; a domain met again gets a new entry (same tag and name).
                _known.Clear();
            }

            var name = domain.ToString();
            info = new DomainInfo(_sealer.Tag(name), Encoding.UTF8.GetBytes(name));
            _known.Add(name, info);
        }

        if (!_filling.Add(_filling.DomainId(info), email[..at]))
        {
            return;
        }

        Added++;
        if (_filling.Footprint >= _bufferBudget)
        {
            HandOff();
        }
    }

    /// <summary>Waits for the spill in flight, then sorts the last buffer where it lies (the last step after
    /// reading; rethrows a spill's error). The last buffer is not spilled: the merge reads it in memory
    /// (<see cref="Resident"/>), which spares sealing, writing and reading back what the merge needs at once.</summary>
    public void Finish()
    {
        Collect();
        if (Resident is null && _filling.Count > 0)
        {
            _filling.SortInPlace();
            Resident = _filling;
        }
    }

    /// <summary>Gives the full buffer to a background spill and goes on with the other one (waiting only when the
    /// previous spill is still running).</summary>
    private void HandOff()
    {
        Collect();
        var full = _filling;
        _filling = _spare ?? new DomainAliasBuffer(_bufferBudget);
        _spare = null;
        _filling.Reset(++_generation);
        _spilled = full;
        _spilling = Task.Run(() => full.WriteRun(_runStore));
    }

    /// <summary>Waits for the spill in flight, if any, and keeps its run and its buffer.</summary>
    private void Collect()
    {
        if (_spilling is not { } task)
        {
            return;
        }

        _spilling = null;
        var run = task.GetAwaiter().GetResult();
        if (run is not null)
        {
            Runs.Add(run);
        }

        _spare = _spilled;
        _spilled = null;
    }

    public void Dispose()
    {
        if (_spilling is { } task)
        {
            // A spill still running (the ingest failed) writes into the buffer and a run: it ends before they go.
            try
            {
                task.GetAwaiter().GetResult()?.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
            {
                // The ingest's own error is the one reported.
            }

            _spilling = null;
        }

        foreach (var run in Runs)
        {
            run.Dispose();
        }

        Runs.Clear();
        _filling.Dispose();
        _spare?.Dispose();
        _spilled?.Dispose();
    }
}
