using System.Buffers.Binary;
using Leakwatch.Storage.Sorting;

namespace Leakwatch.Ingest.Domains;

/// <summary>Reads one sealed run of <see cref="DomainAliasCollector"/> record by record, across its blocks, into a
/// buffer of its own (no allocation per record).</summary>
internal sealed class DomainRunCursor : DomainCursor
{
    private readonly IRunReader<byte> _reader;
    private readonly byte[] _record = new byte[8 + 1 + 255 + 1 + 255];
    private ArraySegment<byte> _block;
    private int _at;
    private int _domainLength;
    private int _aliasLength;

    public DomainRunCursor(ISpilledRun<byte> run) => _reader = run.OpenReader();

    public override ReadOnlySpan<byte> Domain => _record.AsSpan(9, _domainLength);

    public override ReadOnlySpan<byte> Alias => _record.AsSpan(10 + _domainLength, _aliasLength);

    public override bool MoveNext()
    {
        if (!Read(_record.AsSpan(0, 9), atStart: true))
        {
            return false;
        }

        Tag = BinaryPrimitives.ReadUInt64BigEndian(_record);
        _domainLength = _record[8];
        Read(_record.AsSpan(9, _domainLength + 1), atStart: false);
        _aliasLength = _record[9 + _domainLength];
        Read(_record.AsSpan(10 + _domainLength, _aliasLength), atStart: false);
        (Prefix, Prefix2, _) = DomainAliasEntry.PrefixOf(Alias);
        return true;
    }

    /// <summary>Fills <paramref name="into"/>; false only at the run's clean end.</summary>
    private bool Read(Span<byte> into, bool atStart)
    {
        var done = 0;
        while (done < into.Length)
        {
            if (_at == _block.Count)
            {
                _block = _reader.ReadBlock();
                _at = 0;
                if (_block.Count == 0)
                {
                    return done == 0 && atStart ? false : throw new InvalidDataException("domain store run is truncated");
                }
            }

            var n = Math.Min(into.Length - done, _block.Count - _at);
            _block.AsSpan(_at, n).CopyTo(into[done..]);
            _at += n;
            done += n;
        }

        return true;
    }

    public override void Dispose() => _reader.Dispose();
}
