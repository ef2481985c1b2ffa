using System.Diagnostics;
using System.Text.Json;
using Leakwatch.Catalog;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Core.Errors;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Reading;

namespace Leakwatch.Ingest.Private;

/// <summary>
/// Builds the private index (docs/private-index-format.md): spill the identifiers sealed, evaluate the OPRF over the
/// spill on all cores (each chunk's output is a checkpoint), then merge with the published private index bucket by
/// bucket and publish atomically. Every entry point holds the data dir's writer lock; a killed build resumes from
/// <c>private/build/state.json</c> without redoing finished chunks, and never touches what is published until the end.
/// </summary>
public sealed partial class PrivateIndexBuilder
{
    private static ReadOnlySpan<byte> SpillKeyInfo => "leakwatch/private/v1/spill"u8;
    private readonly ExposureIndexStore _store;
    private readonly PrivateIndexStore _private;
    private readonly PrivateBuildPaths _paths;
    private readonly KeyFile _keys;
    private readonly PrivateBuildOptions _options;
    private readonly StateLocation _state;

    /// <param name="state">Where the breach rows are; null is <c>catalog.db</c> in the data dir.</param>
    public PrivateIndexBuilder(string dataDir, KeyFile keys, PrivateBuildOptions? options = null, StateLocation? state = null)
    {
        _state = state ?? StateLocation.Embedded;
        _options = options ?? new PrivateBuildOptions();
        _store = new ExposureIndexStore(dataDir, _options.Retention);
        _private = new PrivateIndexStore(dataDir, _options.Retention);
        _paths = new PrivateBuildPaths(_private);
        _keys = keys;
    }

    /// <summary>The unfinished build, or null.</summary>
    public PrivateBuildState? Pending => _paths.Read();

    /// <summary>`ingest --private`: prepares a build whose spill the ingest workers fill. Call
    /// <see cref="Resume"/> after the ingest has published, or <see cref="PrivateSpillSession.Abandon"/> if it failed.</summary>
    public PrivateSpillSession BeginIngest(string breachName, PrivateSource source)
    {
        using var writeLock = _store.LockForWrite();
        if (_paths.Read() is { Kind: "ingest" } stale && !stale.Sources[0].Spilled
            && string.Equals(stale.Sources[0].Breach, breachName, StringComparison.OrdinalIgnoreCase))
        {
            _paths.Delete(); // the same ingest, killed before it published: its spill is incomplete, start over
        }

        RequireNoPending();
        RequireServing();
        var key = KeyForMerge();
        var state = NewState("ingest", key.KeyId, fresh: false, [new PrivateBuildSource { Breach = breachName, Source = source }]);
        _paths.Write(state);
        return new PrivateSpillSession(_paths, state, 0, SpillKey(state), _options.ChunkIdentifiers);
    }

    /// <summary>True when the unfinished build is an `ingest --private` of this breach that got as far as publishing
    /// the plain index: running that ingest again resumes it.</summary>
    public bool IsResumableIngest(string breachName) =>
        _paths.Read() is { Kind: "ingest" } pending && pending.Sources[0].Spilled
        && string.Equals(pending.Sources[0].Breach, breachName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Continues the pending build (after `ingest --private`, or after a kill).</summary>
    public PrivateBuildResult Resume(IProgress<PrivateBuildProgress>? progress = null, CancellationToken ct = default)
    {
        using var writeLock = _store.LockForWrite();
        var state = _paths.Read() ?? throw new PrivateBuildException("no private build to resume", ErrorKind.NotFound);
        return Continue(state, progress, ct);
    }

    /// <summary>`private build`: indexes a published breach privately from a fresh read of its dump.</summary>
    public PrivateBuildResult Build(string breachName, PrivateSource source, IProgress<PrivateBuildProgress>? progress = null, CancellationToken ct = default)
    {
        using var writeLock = _store.LockForWrite();
        if (_paths.Read() is { Kind: "build" } pending && string.Equals(pending.Sources[0].Breach, breachName, StringComparison.OrdinalIgnoreCase))
        {
            return Continue(pending, progress, ct); // the same command again after a kill: carry on
        }

        RequireNoPending();
        RequireServing();
        var plain = ReadPlainManifest();
        var breach = PublishedBreaches(plain).Find(b => string.Equals(b.Name, breachName, StringComparison.OrdinalIgnoreCase))
            ?? throw new PrivateBuildException($"no breach named '{breachName}'; ingest it first (`leakwatch ingest PATH --breach {breachName} --private` does both)", ErrorKind.NotFound);
        if (!PrivateSources.IsRereadable(source))
        {
            throw new PrivateBuildException($"private build reads {breach.Name}'s dump again if it is interrupted, and standard input cannot be read twice; give the dump as a file", ErrorKind.BadInput);
        }

        RequireSource(source.Path);
        var key = KeyForMerge();
        var state = NewState("build", key.KeyId, fresh: false,
            [new PrivateBuildSource { BreachId = breach.Id, Breach = breach.Name, Source = source, Distinct = DistinctOf(breach) }]);
        _paths.Write(state);
        return Continue(state, progress, ct);
    }

    /// <summary>
    /// `keys rotate-oprf`: makes a pending OPRF key, rebuilds the private index from every privately indexed breach's
    /// recorded source (or an override), publishes it and promotes the key. The old key serves until the publish.
    /// It is also how a withdrawn private index comes back. A breach in <paramref name="drop"/> is no longer indexed
    /// privately (its dump is gone for good); its id stays in the chains other sources give, while it is listed.
    /// </summary>
    public PrivateBuildResult RotateKey(IReadOnlyDictionary<string, string> sourceOverrides, IReadOnlyCollection<string> drop,
        IProgress<PrivateBuildProgress>? progress = null, CancellationToken ct = default)
    {
        using var writeLock = _store.LockForWrite();
        var pending = _paths.Read();
        if (pending is not null)
        {
            return pending.Kind == "rotate"
                ? Continue(pending, progress, ct)
                : throw new PrivateBuildException($"a private build of {Describe(pending)} is unfinished; run `leakwatch private resume` first");
        }

        var current = _private.ReadManifest(outdatedAsAbsent: true);
        var plain = ReadPlainManifest();
        var published = PublishedBreaches(plain);
        var sources = new List<PrivateBuildSource>();
        var missing = new List<string>();
        var indexed = current?.Breaches ?? [];
        foreach (var name in sourceOverrides.Keys.Concat(drop))
        {
            if (!indexed.Exists(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new PrivateBuildException($"--source/--drop {name}: '{name}' is not indexed privately", ErrorKind.BadInput);
            }
        }

        foreach (var b in indexed)
        {
            var breach = published.Find(p => p.Id == b.Id);
            if (breach is null || drop.Contains(b.Name, StringComparer.OrdinalIgnoreCase))
            {
                continue; // removed since, or dropped: nothing to rebuild
            }

            var source = b.Source;
            foreach (var (name, path) in sourceOverrides)
            {
                if (string.Equals(name, b.Name, StringComparison.OrdinalIgnoreCase))
                {
                    source = source with { Path = Path.GetFullPath(path) };
                }
            }

            if (!PrivateSources.IsRereadable(source))
            {
                throw new PrivateBuildException($"rotate-oprf: {PrivateSources.NotRereadable(b.Name)}", ErrorKind.BadInput);
            }

            if (!File.Exists(source.Path) && !Directory.Exists(source.Path))
            {
                missing.Add($"{b.Name} ({source.Path})");
            }

            sources.Add(new PrivateBuildSource { BreachId = b.Id, Breach = b.Name, Source = source, Distinct = DistinctOf(breach) });
        }

        if (missing.Count > 0)
        {
            throw new PrivateBuildException($"rotate-oprf: the source of {string.Join(", ", missing)} is missing; pass --source NAME=PATH (or --drop NAME) for each", ErrorKind.BadInput);
        }

        var key = _keys.CreatePendingOprfKey();
        if (current is null)
        {
            // Nothing indexed privately: the new key simply becomes the active one.
            _keys.PromotePendingOprfKey();
            return new PrivateBuildResult { Kind = "rotate", KeyId = key.KeyId };
        }

        var state = NewState("rotate", key.KeyId, fresh: true, sources);
        _paths.Write(state);
        return Continue(state, progress, ct);
    }

    private PrivateBuildResult Continue(PrivateBuildState state, IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var key = _keys.FindOprfKey(state.KeyId)
            ?? throw new PrivateBuildException($"{_keys.Path}: the OPRF key {state.KeyId} of the unfinished private build is not in the key file");
        var plain = ReadPlainManifest();
        var result = new PrivateBuildResult { Kind = state.Kind, KeyId = key.KeyId, Breaches = [.. state.Sources.Select(s => s.Breach)] };

        if (_private.ReadManifest(outdatedAsAbsent: true) is { } published
            && ((state.PublishedChecksum is not null && string.Equals(published.Checksum, state.PublishedChecksum, StringComparison.Ordinal))
                || (state.Kind == "rotate" && published.KeyId == state.KeyId)))
        {
            // Killed after publishing: the merge is done; only the clean-up (and a rotation's promotion) is left.
            FinishRotation(state);
            FillFromManifest(result, published);
            _private.CollectGarbage(published);
            _paths.Delete();
            result.AlreadyPublished = true;
            return result;
        }

        for (var i = 0; i < state.Sources.Count; i++)
        {
            var s = state.Sources[i];
            if (!s.Spilled)
            {
                if (state.Kind == "ingest")
                {
                    _paths.Delete();
                    throw new PrivateBuildException(InterruptedIngestMessage(s.Breach) + " (its partial spill is now discarded)", ErrorKind.NotFound);
                }

                try
                {
                    SpillSource(state, i, progress, ct);
                }
                catch (Exception e) when (e is DumpFormatException or PrivateBuildException { Kind: ErrorKind.BadInput })
                {
                    // A source that cannot be read will not read better on resume: discard, fix, run the command again.
                    _paths.Delete();
                    throw;
                }
            }
        }

        var publishedIds = new HashSet<int>(plain.Breaches);
        foreach (var s in state.Sources)
        {
            if (!publishedIds.Contains(s.BreachId))
            {
                _paths.Delete();
                throw new PrivateBuildException($"breach '{s.Breach}' is not published (its ingest was interrupted, or it was removed); private build discarded");
            }
        }

        EvaluateAndMerge(state, key, plain, result, progress, ct);
        if (state.Kind == "rotate")
        {
            FinishRotation(state);
        }

        _paths.Delete();
        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    private void EvaluateAndMerge(PrivateBuildState state, OprfServerKey key, Manifest plain, PrivateBuildResult result,
        IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        try
        {
            Evaluate(state, key, plain, result, progress, ct);
            ct.ThrowIfCancellationRequested();
            Merge(state, key, plain, result, progress, ct);
        }
        catch (Exception e)
        {
            DiscardScratch();
            if (IoFailure(e) is { } io && _paths.Read() is not null)
            {
                // A full disk (or another I/O error) interrupts the build as a kill would: its checkpoints are the
                // costly part (the OPRF), so they stay for `private resume`, and the one error line says so.
                throw new PrivateBuildException($"{io.Message}; the private build is kept with its finished OPRF chunks "
                    + $"({BuildMegabytes():F0} MB in {_paths.Root}): once there is room, `leakwatch private resume` continues from there");
            }

            throw;
        }
    }

    /// <summary>Removes what a failed build wrote that is not a checkpoint: the partitions (a resume scatters again) and
    /// an unpublished generation (a resume writes a new one). The state, the spill and the chunks' outputs stay.</summary>
    private void DiscardScratch()
    {
        try
        {
            if (Directory.Exists(_paths.PartitionDir))
            {
                Directory.Delete(_paths.PartitionDir, recursive: true);
            }

            _private.CollectGarbage(_private.ReadManifest());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LeakwatchException)
        {
            // The build's own error is the one to report; the next ingest or remove sweeps what is left.
        }
    }

    private static Exception? IoFailure(Exception e) => e switch
    {
        IOException or UnauthorizedAccessException => e,
        AggregateException a when a.Flatten().InnerExceptions is [var inner, ..] => IoFailure(inner),
        _ => null,
    };

    private double BuildMegabytes() =>
        Directory.Exists(_paths.Root) ? Directory.EnumerateFiles(_paths.Root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1048576.0 : 0;

    /// <summary>What is left of an `ingest --private` killed before its plain index was published, as `private status`
    /// and `private resume` both say it: the spill is incomplete, so the ingest itself must run again.</summary>
    public static string InterruptedIngestMessage(string breach) =>
        $"nothing to resume: the ingest of '{breach}' stopped before its index was published; run the same ingest again";

    /// <summary>True when the pending build is an `ingest --private` that never published its plain index (killed, or
    /// still reading): <see cref="Resume"/> has nothing to do for it.</summary>
    public static bool IsUnpublishedIngest(PrivateBuildState state) => state.Kind == "ingest" && !state.Sources[0].Spilled;

    private void FinishRotation(PrivateBuildState state)
    {
        if (_keys.PendingOprfKey?.KeyId == state.KeyId)
        {
            _keys.PromotePendingOprfKey();
        }
    }

    private void SpillSource(PrivateBuildState state, int index, IProgress<PrivateBuildProgress>? progress, CancellationToken ct)
    {
        var s = state.Sources[index];
        if (!PrivateSources.IsRereadable(s.Source))
        {
            throw new PrivateBuildException(PrivateSources.NotRereadable(s.Breach), ErrorKind.BadInput);
        }

        RequireSource(s.Source.Path);
        var prefix = PrivateBuildPaths.ChunkName(index, 0)[..5];
        foreach (var dir in new[] { _paths.SpillDir, _paths.OutputDir })
        {
            if (Directory.Exists(dir))
            {
                foreach (var f in Directory.EnumerateFiles(dir, prefix + "*"))
                {
                    File.Delete(f);
                }
            }
        }

        PhoneNormalizer phones;
        try
        {
            phones = new PhoneNormalizer(s.Source.Region);
        }
        catch (ArgumentException e)
        {
            throw new PrivateBuildException($"{s.Breach}: {e.Message}", ErrorKind.BadInput);
        }

        var session = new PrivateSpillSession(_paths, state, index, SpillKey(state), _options.ChunkIdentifiers);
        using var writer = session.NewWriter();
        using var plainIndex = state.OnlyMembersOf == 0 ? null : _store.OpenPublished(ReadPlainManifest());
        var spiller = new PrivateSourceSpiller(new IdentifierHasher(_keys), phones, writer,
            rows => progress?.Report(new PrivateBuildProgress(PrivatePhase.Spilling, rows, 0)),
            state.OnlyMembersOf == 0 ? null : MembersOf(plainIndex, state.OnlyMembersOf));
        DumpReader.Read(s.Source.Path, PrivateSources.ToReaderOptions(s.Source), spiller, ct);
        session.Complete(s.BreachId, s.Distinct > 0 ? s.Distinct : writer.Identifiers);
    }

    private PrivateBuildState NewState(string kind, string keyId, bool fresh, List<PrivateBuildSource> sources)
    {
        var current = fresh ? null : _private.ReadManifest(outdatedAsAbsent: true);
        var salt = new byte[PrivateProtocol.SaltSize];
        _options.Random.Fill(salt);
        return new PrivateBuildState
        {
            BuildId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
            Kind = kind,
            KeyId = keyId,
            Fresh = fresh,
            Salt = current?.Salt ?? Convert.ToBase64String(salt),
            Sources = sources,
            Started = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>The key of this build's sealed files: HKDF(key file secret, salt = build id, "leakwatch/private/v1/spill").</summary>
    private byte[] SpillKey(PrivateBuildState state) => _keys.DeriveSubkey(state.BuildIdBytes, SpillKeyInfo, SealedFileWriter.KeySize);

    /// <summary>A merge uses the published index's key; the first private build uses (and makes) the active key.</summary>
    private Privacy.OprfServerKey KeyForMerge()
    {
        var current = _private.ReadManifest(outdatedAsAbsent: true);
        if (current is null)
        {
            return _keys.EnsureActiveOprfKey();
        }

        return _keys.FindOprfKey(current.KeyId)
            ?? throw new PrivateBuildException($"{_keys.Path}: the private index was built with OPRF key {current.KeyId}, which the key file does not hold");
    }

    private void RequireNoPending()
    {
        if (_paths.Read() is { } pending)
        {
            throw new PrivateBuildException($"a private build of {Describe(pending)} is unfinished; run `leakwatch private resume` first");
        }
    }

    private static string Describe(PrivateBuildState s) =>
        s.Kind == "rotate" ? "the key rotation" : string.Join(", ", s.Sources.Select(x => $"'{x.Breach}'"));

    private static void RequireSource(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new PrivateBuildException($"{path}: source dump not found", ErrorKind.BadInput);
        }
    }

    private Manifest ReadPlainManifest()
    {
        var plain = _store.ReadManifest();
        if (plain.KeyId is not null && plain.KeyId != _keys.KeyId)
        {
            throw new KeyFileException($"{_keys.Path}: key file does not match the index (key id {_keys.KeyId}, index built with {plain.KeyId})");
        }

        return plain;
    }

    private List<Breach> PublishedBreaches(Manifest plain)
    {
        if (plain.Breaches.Length == 0)
        {
            return [];
        }

        using var catalog = StateStore.OpenReadOnly(_state, _store.DataDir);
        return catalog?.PublishedBreaches(plain.Breaches) ?? [];
    }

    private static long DistinctOf(Breach b)
    {
        if (b.StatsJson is null)
        {
            return 0;
        }

        try
        {
            var stats = JsonSerializer.Deserialize(b.StatsJson, IngestJson.Default.IngestStats);
            return stats is null ? 0 : stats.Distinct.Email + stats.Distinct.Phone;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    private static void FillFromManifest(PrivateBuildResult r, PrivateManifest m)
    {
        r.Generation = m.Generation;
        r.Sections = m.Sections;
        r.BucketCount = m.Layout().BucketCount;
        r.BucketEntries = m.BucketEntries;
        r.IndexBytes = m.IndexBytes;
    }
}
