using System.Runtime.CompilerServices;
using Leakwatch.Index.Stealer;
using Leakwatch.Privacy;

namespace Leakwatch.Ingest.Stealer;

/// <summary>
/// The entries of a stealer-log store being written, gathered in key order a few thousand at a time, sealed on
/// every core (one <see cref="StealerSiteSealer"/> per thread, all of one generation's session) and then written in
/// order. The merge that produces the entries is sequential; the sealing, most of the cost, is not. Plaintexts and
/// blobs live in two reused arenas, so an entry costs no allocation.
/// </summary>
internal sealed class StealerSealBatch : IDisposable
{
    private const int MaxEntries = 8192;
    private const int MaxPlainBytes = 4 << 20;
    private readonly StealerSiteWriter _writer;
    private readonly StealerSiteSealer[] _sealers;
    private readonly UInt128[] _keys = new UInt128[MaxEntries];
    private readonly int[] _starts = new int[MaxEntries + 1];
    private readonly bool[] _sealed = new bool[MaxEntries];
    private byte[] _plain = new byte[1 << 16];
    private byte[] _blobs = new byte[1 << 16];
    private int _count;

    public StealerSealBatch(StealerSiteWriter writer, StealerSealSession session)
    {
        _writer = writer;
        _sealers = new StealerSiteSealer[Math.Clamp(Environment.ProcessorCount, 1, 8)];
        for (var i = 0; i < _sealers.Length; i++)
        {
            _sealers[i] = new StealerSiteSealer(session);
        }
    }

    /// <summary>For opening older generations' blobs on the merging thread.</summary>
    public StealerSiteSealer Opener => _sealers[0];

    /// <summary>Room for an entry's plaintext of up to <paramref name="maxBytes"/>; <see cref="Commit"/> then says how much was written.</summary>
    public Span<byte> Reserve(int maxBytes)
    {
        var end = _starts[_count];
        if (end + maxBytes > _plain.Length)
        {
            Array.Resize(ref _plain, Math.Max(_plain.Length * 2, end + maxBytes));
        }

        return _plain.AsSpan(end, maxBytes);
    }

    /// <summary>The entry whose plaintext <see cref="Reserve"/> was given, to be sealed for <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Commit(UInt128 key, int plainBytes)
    {
        _keys[_count] = key;
        _sealed[_count] = false;
        _starts[_count + 1] = _starts[_count] + plainBytes;
        Next();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddPlain(UInt128 key, ReadOnlySpan<byte> plain)
    {
        plain.CopyTo(Reserve(plain.Length));
        Commit(key, plain.Length);
    }

    /// <summary>A blob already sealed (an entry an older generation wrote and this ingest did not touch): copied as it is.</summary>
    public void AddSealed(UInt128 key, ReadOnlySpan<byte> blob)
    {
        blob.CopyTo(Reserve(blob.Length));
        _keys[_count] = key;
        _sealed[_count] = true;
        _starts[_count + 1] = _starts[_count] + blob.Length;
        Next();
    }

    private void Next()
    {
        _count++;
        if (_count == MaxEntries || _starts[_count] >= MaxPlainBytes)
        {
            Flush();
        }
    }

    /// <summary>Seals and writes what is gathered.</summary>
    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        var total = _starts[_count] + (_count * StealerSiteSealer.Overhead);
        if (_blobs.Length < total)
        {
            Array.Resize(ref _blobs, Math.Max(_blobs.Length * 2, total));
        }

        var parts = _count < 256 ? 1 : _sealers.Length;
        if (parts == 1)
        {
            SealRange(0, 0, _count);
        }
        else
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
                p => SealRange(p, _count * p / parts, _count * (p + 1) / parts));
        }

        for (var i = 0; i < _count; i++)
        {
            var (start, length) = BlobRange(i);
            _writer.Add(_keys[i], _blobs.AsSpan(start, length));
        }

        _count = 0;
    }

    private (int Start, int Length) BlobRange(int i) =>
        (_starts[i] + (i * StealerSiteSealer.Overhead), _starts[i + 1] - _starts[i] + (_sealed[i] ? 0 : StealerSiteSealer.Overhead));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SealRange(int part, int from, int to)
    {
        var sealer = _sealers[part];
        for (var i = from; i < to; i++)
        {
            var plain = _plain.AsSpan(_starts[i], _starts[i + 1] - _starts[i]);
            var (start, length) = BlobRange(i);
            if (_sealed[i])
            {
                plain.CopyTo(_blobs.AsSpan(start));
            }
            else
            {
                sealer.Seal(_keys[i], plain, _blobs.AsSpan(start, length));
            }
        }
    }

    public void Dispose()
    {
        foreach (var s in _sealers)
        {
            s.Dispose();
        }
    }
}
