using System.Buffers.Binary;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;

namespace Leakwatch.Ingest.Private;

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
