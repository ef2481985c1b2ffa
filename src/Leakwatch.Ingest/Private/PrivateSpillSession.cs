using System.Buffers.Binary;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Private;
using Leakwatch.Reading;

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

/// <summary>One thread's spill: records <c>u16be length || u64be key high || u64be key low || x</c>, sealed
/// <see cref="PrivateSpillSession.ChunkIdentifiers"/> to a chunk file (fsynced when the session completes).</summary>
public sealed class PrivateSpillWriter : IDisposable
{
    private readonly PrivateSpillSession _session;
    private readonly byte[] _record = new byte[2 + 16 + PrivateProtocol.MaxInputLength];
    private SealedFileWriter? _chunk;
    private int _inChunk;

    internal PrivateSpillWriter(PrivateSpillSession session) => _session = session;

    public long Identifiers { get; private set; }

    public void AddEmail(UInt128 key, ReadOnlySpan<char> canonicalEmail) =>
        Add(key, PrivateProtocol.WriteEmailInput(canonicalEmail, _record.AsSpan(18)));

    public void AddPhone(UInt128 key, ulong e164) => Add(key, PrivateProtocol.WritePhoneInput(e164, _record.AsSpan(18)));

    private void Add(UInt128 key, int inputLength)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_record, (ushort)inputLength);
        BinaryPrimitives.WriteUInt128BigEndian(_record.AsSpan(2), key);
        _chunk ??= _session.NextChunk();
        _chunk.Append(_record.AsSpan(0, 18 + inputLength));
        Identifiers++;
        if (++_inChunk >= _session.ChunkIdentifiers)
        {
            Flush();
        }
    }

    /// <summary>Seals the current chunk, if any.</summary>
    public void Flush()
    {
        if (_chunk is not null)
        {
            _chunk.Complete(durable: false);
            _chunk.Dispose();
            _chunk = null;
            _inChunk = 0;
        }
    }

    /// <summary>Parses a spill frame's records.</summary>
    internal static bool TryRead(ref ReadOnlySpan<byte> frame, out UInt128 key, out ReadOnlySpan<byte> input)
    {
        if (frame.Length < 18)
        {
            key = default;
            input = default;
            return false;
        }

        var n = BinaryPrimitives.ReadUInt16BigEndian(frame);
        key = BinaryPrimitives.ReadUInt128BigEndian(frame[2..]);
        input = frame.Slice(18, n);
        frame = frame[(18 + n)..];
        return true;
    }

    public void Dispose()
    {
        _chunk?.Dispose();
        _chunk = null;
    }
}

/// <summary>Reads a dump again for `private build` and `keys rotate-oprf`: the same normalizers and keyed hasher as
/// ingest, each valid identifier appended to the spill. Runs on the reader thread; the OPRF that follows dominates.</summary>
internal sealed class PrivateSourceSpiller : IDumpRowSink
{
    private readonly IdentifierHasher _hasher;
    private readonly PhoneNormalizer _phones;
    private readonly PrivateSpillWriter _writer;
    private readonly Action<long>? _progress;
    private readonly char[] _email = new char[EmailNormalizer.MaxLength];

    public PrivateSourceSpiller(IdentifierHasher hasher, PhoneNormalizer phones, PrivateSpillWriter writer, Action<long>? progress)
    {
        _hasher = hasher;
        _phones = phones;
        _writer = writer;
        _progress = progress;
    }

    public long Rows { get; private set; }

    public void OnFileStart(DumpFileInfo file, ColumnMap map)
    {
    }

    public void OnRow(DumpRow row)
    {
        if ((++Rows & 0xFFFF) == 0)
        {
            _progress?.Invoke(Rows);
        }

        var e = row.Get(FieldRole.Email);
        if (!e.IsEmpty && EmailNormalizer.TryNormalize(e, _email, out var n))
        {
            var email = _email.AsSpan(0, n);
            _writer.AddEmail(_hasher.HashEmail(email), email);
        }

        var p = row.Get(FieldRole.Phone);
        if (!p.IsEmpty && _phones.TryNormalize(p, out var e164))
        {
            _writer.AddPhone(_hasher.HashPhone(e164), e164);
        }
    }

    public void OnProblem(RowProblem problem)
    {
    }
}
