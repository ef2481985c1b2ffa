using System.Collections;
using System.Globalization;
using Leakwatch.Index;

namespace Leakwatch.Server.Monitor;

/// <summary>
/// The identifiers of one upload as the store takes them, kept compact while the body streams in: 10 bytes of index
/// key and one byte of hint per identifier (11 MB for a million), never the identifiers themselves. Invalid entries
/// are kept as their line numbers only.
/// </summary>
internal sealed class MonitorUpload : IReadOnlyList<(byte[] MatchKey, int Kind, string Hint)>
{
    /// <summary>Line numbers of invalid entries named in an error; the rest are only counted.</summary>
    public const int NamedInvalid = 20;

    private const byte NoHint = 255;
    private static readonly string[] Hints = CreateHints();

    private byte[] _keys = new byte[IndexKeys.KeyBytes * 1024];
    private byte[] _kinds = new byte[1024];
    private byte[] _hints = new byte[1024];

    public int Count { get; private set; }

    public List<long> InvalidLines { get; } = [];

    public long InvalidCount { get; private set; }

    public void AddEmail(UInt128 key) => Append(key, 1, NoHint);

    /// <summary>A phone's hint is its last two digits, all the issue allows a notification to show.</summary>
    public void AddPhone(UInt128 key, ulong e164) => Append(key, 2, (byte)(e164 % 100));

    public void Invalid(long line)
    {
        InvalidCount++;
        if (InvalidLines.Count < NamedInvalid)
        {
            InvalidLines.Add(line);
        }
    }

    private void Append(UInt128 key, byte kind, byte hint)
    {
        if (Count == _kinds.Length)
        {
            Array.Resize(ref _keys, _keys.Length * 2);
            Array.Resize(ref _kinds, _kinds.Length * 2);
            Array.Resize(ref _hints, _hints.Length * 2);
        }

        IndexKeys.WriteBigEndian(key, _keys.AsSpan(Count * IndexKeys.KeyBytes, IndexKeys.KeyBytes));
        _kinds[Count] = kind;
        _hints[Count] = hint;
        Count++;
    }

    public byte[] MatchKey(int index) => _keys.AsSpan(index * IndexKeys.KeyBytes, IndexKeys.KeyBytes).ToArray();

    public (byte[] MatchKey, int Kind, string Hint) this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return (MatchKey(index), _kinds[index], _hints[index] == NoHint ? "" : Hints[_hints[index]]);
        }
    }

    public IEnumerator<(byte[] MatchKey, int Kind, string Hint)> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string[] CreateHints()
    {
        var hints = new string[100];
        for (var i = 0; i < hints.Length; i++)
        {
            hints[i] = i.ToString("00", CultureInfo.InvariantCulture);
        }

        return hints;
    }
}
