using System.Globalization;

namespace Leakwatch.Privacy.Buckets;

/// <summary>
/// Where an identifier's bucket is (docs/private-lookup.md §2): sections in code order (emails first, then one per
/// country calling code the index holds), each 2^bits buckets, numbered consecutively. A phone bucket is chosen
/// within its calling code's section, so it hides among at least 10,000 possible numbers of that plan whatever the
/// index holds; the server learns the calling code. Constructing a layout checks every section's bits against its
/// bound, so a client refuses a server that asks for finer buckets.
/// </summary>
public sealed class PrivateLayout
{
    private readonly PrivateSection[] _sections;
    private readonly int[] _byCode = new int[1000];

    /// <exception cref="PrivateIndexException">A section is repeated, unknown, or finer than its bound.</exception>
    public PrivateLayout(IEnumerable<(int Code, int Bits)> sections)
    {
        var sorted = sections.OrderBy(s => s.Code).ToArray();
        _sections = new PrivateSection[sorted.Length];
        Array.Fill(_byCode, -1);
        long first = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            var (code, bits) = sorted[i];
            var problem = Check(code, bits);
            if (problem is not null)
            {
                throw new PrivateIndexException(problem);
            }

            if (_byCode[code] >= 0)
            {
                throw new PrivateIndexException($"section {code} appears twice");
            }

            _byCode[code] = i;
            _sections[i] = new PrivateSection(code, bits, first);
            first += 1L << bits;
        }

        BucketCount = first;
    }

    public IReadOnlyList<PrivateSection> Sections => _sections;

    public long BucketCount { get; }

    /// <summary>Why <paramref name="bits"/> is not allowed for section <paramref name="code"/>, or null.</summary>
    public static string? Check(int code, int bits)
    {
        if (code is < 0 or > 999)
        {
            return $"section {code.ToString(CultureInfo.InvariantCulture)} is not a calling code";
        }

        var max = PrivateProtocol.MaxSectionBits(code);
        if (max < 0)
        {
            return $"+{code.ToString(CultureInfo.InvariantCulture)} is not a known calling code";
        }

        if (bits < 0 || bits > max)
        {
            return code == 0
                ? $"email bucketBits {bits.ToString(CultureInfo.InvariantCulture)} is outside 0..{max.ToString(CultureInfo.InvariantCulture)}"
                : $"bucketBits {bits.ToString(CultureInfo.InvariantCulture)} for +{code.ToString(CultureInfo.InvariantCulture)} exceeds its bound {max.ToString(CultureInfo.InvariantCulture)} (fewer than {PrivateProtocol.MinPhoneCrowd:N0} possible numbers a bucket)";
        }

        return null;
    }

    /// <summary>The section with this code, if the index has one.</summary>
    public bool TryGetSection(int code, out PrivateSection section)
    {
        var i = (uint)code < 1000 ? _byCode[code] : -1;
        section = i >= 0 ? _sections[i] : default;
        return i >= 0;
    }

    /// <summary>The global bucket of a section code and bucket hash, or -1 when the index has no such section.</summary>
    public long BucketOf(int code, uint bucketHash) =>
        TryGetSection(code, out var s) ? s.First + PrivateProtocol.BucketOf(bucketHash, s.Bits) : -1;

    /// <summary>The global bucket of an OPRF input, or -1 when its section is absent (nothing indexed there).</summary>
    public long Bucket(ReadOnlySpan<byte> input) => BucketOf(PrivateProtocol.SectionOf(input), PrivateProtocol.BucketHash(input));

    /// <summary>The section holding a global bucket.</summary>
    public PrivateSection SectionOfBucket(long bucket)
    {
        if ((ulong)bucket >= (ulong)BucketCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket));
        }

        int lo = 0, hi = _sections.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_sections[mid].First <= bucket)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _sections[lo];
    }
}
