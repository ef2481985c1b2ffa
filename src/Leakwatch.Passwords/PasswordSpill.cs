using System.Diagnostics;
using Leakwatch.Storage.Retention;

namespace Leakwatch.Passwords;

/// <summary>
/// Passwords that arrive inside another ingest (stealer-log lines) on their way into the password store: each
/// password is hashed at once (SHA-1 of its UTF-8, NTLM of its UTF-16LE) by a per-thread <see cref="PasswordHasher"/>,
/// and only the hashes, with count 1, go to the store's sorted runs; the clear text is never written. Then
/// <see cref="Prepare"/> merges them with the published files into a new, unpublished generation, exactly as
/// `ingest-passwords` does, and <see cref="Publish"/> swaps the manifest. Holds the store's write lock from
/// <see cref="Open"/> to <see cref="Dispose"/>, which deletes whatever was not published.
/// </summary>
public sealed class PasswordSpill : IDisposable
{
    private static readonly PasswordHashMode[] BothModes = [PasswordHashMode.Sha1, PasswordHashMode.Ntlm];
    private readonly string _dir;
    private readonly FileStream _lock;
    private readonly PasswordManifest? _current;
    private readonly PasswordIngestOptions _options;
    private readonly RunSpiller?[] _spillers = new RunSpiller?[2];
    private readonly Lock _addLock = new();
    private readonly List<string> _newFiles = [];
    private PasswordManifest? _next;
    private long _newSha1;
    private long _newNtlm;
    private bool _published;

    private PasswordSpill(string dir, FileStream writeLock, PasswordManifest? current, PasswordIngestOptions options)
    {
        _dir = dir;
        _lock = writeLock;
        _current = current;
        _options = options;
        var tempDir = Path.Combine(dir, "tmp");
        foreach (var m in BothModes)
        {
            _spillers[(int)m] = new RunSpiller(tempDir, PasswordRangeFormat.ModeName(m), options.RunBytes / 2);
        }
    }

    /// <summary>Passwords added (lines), each counted once in both modes.</summary>
    public long Passwords { get; private set; }

    /// <exception cref="PasswordStoreBusyException">Another password ingest holds the store.</exception>
    public static PasswordSpill Open(string dataDir, PasswordIngestOptions? options = null)
    {
        options ??= new PasswordIngestOptions();
        var dir = PasswordManifest.Dir(dataDir);
        Directory.CreateDirectory(dir);
        var writeLock = PasswordIngest.Lock(dir);
        try
        {
            var current = PasswordManifest.Read(dir);
            PasswordIngest.CollectGarbage(dir, current, options.Retention ?? GenerationRetention.Default);
            return new PasswordSpill(dir, writeLock, current, options);
        }
        catch
        {
            writeLock.Dispose();
            throw;
        }
    }

    /// <summary>A hasher for one thread; its hashes reach the store when it fills and at <see cref="PasswordHasher.Flush"/>.</summary>
    public PasswordHasher NewHasher() => new(this);

    internal void Add(ReadOnlySpan<HashRecord> sha1, ReadOnlySpan<HashRecord> ntlm)
    {
        lock (_addLock)
        {
            _spillers[(int)PasswordHashMode.Sha1]!.Add(sha1);
            _spillers[(int)PasswordHashMode.Ntlm]!.Add(ntlm);

            Passwords += sha1.Length;
        }
    }

    /// <summary>Room for about <paramref name="passwords"/> hashes in each mode's memory (within its budget), so the
    /// buffers are not grown by doubling while the hashes come.</summary>
    internal void Reserve(long passwords)
    {
        lock (_addLock)
        {
            foreach (var s in _spillers)
            {
                s?.Reserve(passwords);
            }
        }
    }

    /// <summary>Merges the hashes with the published files into the next generation's files, not yet visible.</summary>
    public void Prepare(CancellationToken ct = default)
    {
        var generation = (_current?.Generation ?? 0) + 1;
        (_next, _newSha1, _newNtlm) = PasswordIngest.MergeGeneration(_dir, _current, BothModes, _spillers, generation, _newFiles, _options, ct);
        Storage.FileSync.Directory(_dir);
    }

    /// <summary>Makes the prepared generation the published one.</summary>
    public PasswordIngestStats Publish()
    {
        var next = _next ?? throw new InvalidOperationException("Prepare first");
        var clock = Stopwatch.StartNew();
        next.Publish(_dir);
        _published = true;
        PasswordIngest.CollectGarbage(_dir, next, _options.Retention ?? GenerationRetention.Default);
        return new PasswordIngestStats
        {
            Mode = "plain",
            Lines = Passwords,
            ValidLines = Passwords,
            CountAdded = Passwords,
            NewSha1Hashes = _newSha1,
            NewNtlmHashes = _newNtlm,
            Sha1Hashes = next.Sha1Hashes,
            NtlmHashes = next.NtlmHashes,
            SpilledRuns = (_spillers[0]?.SpilledRuns ?? 0) + (_spillers[1]?.SpilledRuns ?? 0),
            Generation = next.Generation,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    public void Dispose()
    {
        foreach (var s in _spillers)
        {
            s?.Dispose();
        }

        if (!_published)
        {
            foreach (var f in _newFiles)
            {
                Storage.FileSync.TryDelete(f);
            }
        }

        _lock.Dispose();
    }
}
