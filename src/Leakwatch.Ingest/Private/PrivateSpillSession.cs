using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Storage;

namespace Leakwatch.Ingest.Private;

/// <summary>
/// The spill of one source of a private build: workers append each identifier's canonical OPRF input (with its
/// exposure-index key) to sealed chunk files, so the plain ingest never waits for the OPRF. Plaintext identifiers
/// exist only in memory; on disk they are AES-GCM sealed under a key derived from the key file and the build id.
/// </summary>
public sealed class PrivateSpillSession
{
    private readonly PrivateBuildPaths _paths;
    private readonly PrivateBuildState _state;
    private readonly int _source;
    private readonly byte[] _key;
    private readonly int _chunkIdentifiers;
    private readonly List<PrivateSpillWriter> _writers = [];
    private int _nextChunk = -1;

    internal PrivateSpillSession(PrivateBuildPaths paths, PrivateBuildState state, int source, byte[] key, int chunkIdentifiers)
    {
        _paths = paths;
        _state = state;
        _source = source;
        _key = key;
        _chunkIdentifiers = chunkIdentifiers;
        Directory.CreateDirectory(paths.SpillDir);
    }

    internal PrivateBuildState State => _state;

    /// <summary>A writer for one thread.</summary>
    public PrivateSpillWriter NewWriter()
    {
        var w = new PrivateSpillWriter(this);
        lock (_writers)
        {
            _writers.Add(w);
        }

        return w;
    }

    internal SealedFileWriter NextChunk()
    {
        var name = PrivateBuildPaths.ChunkName(_source, Interlocked.Increment(ref _nextChunk));
        var path = _paths.SpillPath(name);
        return new SealedFileWriter(path, _key, _state.BuildIdBytes, PrivateBuildPaths.Tag(path), frameSize: 4 << 20);
    }

    internal int ChunkIdentifiers => _chunkIdentifiers;

    /// <summary>Seals the last chunks and records the source as spilled, with its breach id. Called once every
    /// identifier is written and before the plain index is published, so a published breach always has its spill.</summary>
    public void Complete(int breachId, long distinctIdentifiers)
    {
        long identifiers = 0;
        foreach (var w in _writers)
        {
            w.Flush();
            identifiers += w.Identifiers;
        }

        // Chunks are written without waiting for the disk (the plain ingest must not wait on fsyncs); they are made
        // durable here, all at once, before the state says the source is spilled.
        var prefix = PrivateBuildPaths.ChunkName(_source, 0)[..5];
        foreach (var chunk in Directory.EnumerateFiles(_paths.SpillDir, prefix + "*.lws"))
        {
            using var fs = new FileStream(chunk, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            fs.Flush(flushToDisk: true);
        }

        FileSync.Directory(_paths.SpillDir);
        var s = _state.Sources[_source];
        s.BreachId = breachId;
        s.Distinct = distinctIdentifiers;
        s.SpilledIdentifiers = identifiers;
        s.Spilled = true;
        _paths.Write(_state);
    }

    /// <summary>Discards the build when the ingest it rode on failed before publishing. Once the spill is complete
    /// (the breach is being published) the build is kept for `private resume`.</summary>
    public void Abandon()
    {
        foreach (var w in _writers)
        {
            w.Dispose();
        }

        if (!_state.Sources[_source].Spilled)
        {
            _paths.Delete();
        }
    }
}
