using System.Numerics;
using PhoneNumbers;

namespace Leakwatch.Analysis;

/// <summary>
/// Finds runs of consecutive phone numbers (n, n+1, n+2, …) within one calling code: the signature of a
/// scrape by phone-number enumeration (the 2021 Facebook 533M data), where real subscribers' numbers are
/// otherwise scattered. Streams ascending distinct numbers, so the population never has to fit in memory.
/// </summary>
public static class NumberRunDetector
{
    /// <summary>Run length from which a run counts as "long" in the report.</summary>
    public const int LongRun = 100;

    /// <summary>Run length from which a run counts towards the density series.</summary>
    public const int ShortRun = 10;

    /// <summary>Runs over every valid phone number the accumulator collected (merged over all workers).
    /// Consumes the accumulator's numbers: call once, after the last row.</summary>
    public static EnumerationResult Detect(AnalysisAccumulator accumulator)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        using var cursor = accumulator.Phones.OpenSortedDistinct();
        var scanner = new RunScanner();
        while (cursor.TryNext(out var n))
        {
            scanner.Add(n);
        }

        return scanner.Finish();
    }

    /// <summary>Runs over any numbers (E.164 digits), in any order, repeats allowed.</summary>
    public static EnumerationResult Detect(IEnumerable<ulong> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var sorted = numbers.ToArray();
        Array.Sort(sorted);
        var scanner = new RunScanner();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                scanner.Add(sorted[i]);
            }
        }

        return scanner.Finish();
    }

    /// <summary>Feed ascending distinct numbers with <see cref="Add"/>, then call <see cref="Finish"/> once.</summary>
    internal sealed class RunScanner
    {
        private const int Buckets = 32;
        private readonly long[] _numbers = new long[1000];
        private readonly long[] _inShort = new long[1000];
        private readonly long[] _inLong = new long[1000];
        private readonly long[] _bucketRuns = new long[Buckets];
        private readonly long[] _bucketNumbers = new long[Buckets];
        private CallingCodeCursor _codes;
        private long _distinct;
        private ulong _runStart;
        private ulong _previous;
        private int _runCode = -1;
        private long _runLength;
        private long _longest;
        private ulong _longestStart;
        private int _longestCode;
        private long _runsShort, _numbersShort, _runsLong, _numbersLong;

        public void Add(ulong n)
        {
            _distinct++;
            var code = _codes.Of(n);
            if (_runLength > 0 && n == _previous + 1 && code == _runCode)
            {
                _runLength++;
            }
            else
            {
                CloseRun();
                _runStart = n;
                _runCode = code;
                _runLength = 1;
            }

            _previous = n;
        }

        private void CloseRun()
        {
            if (_runLength == 0)
            {
                return;
            }

            var len = _runLength;
            var bucket = BitOperations.Log2((ulong)len);
            _bucketRuns[bucket]++;
            _bucketNumbers[bucket] += len;
            _numbers[_runCode] += len;
            if (len >= ShortRun)
            {
                _runsShort++;
                _numbersShort += len;
                _inShort[_runCode] += len;
            }

            if (len >= LongRun)
            {
                _runsLong++;
                _numbersLong += len;
                _inLong[_runCode] += len;
            }

            if (len > _longest)
            {
                _longest = len;
                _longestStart = _runStart;
                _longestCode = _runCode;
            }

            _runLength = 0;
        }

        public EnumerationResult Finish()
        {
            CloseRun();
            var util = PhoneNumberUtil.GetInstance();
            var histogram = new List<RunLengthBucket>();
            var last = -1;
            for (var b = 0; b < Buckets; b++)
            {
                if (_bucketRuns[b] > 0)
                {
                    last = b;
                }
            }

            for (var b = 0; b <= last; b++)
            {
                histogram.Add(new RunLengthBucket(1L << b, (1L << (b + 1)) - 1, _bucketRuns[b], _bucketNumbers[b]));
            }

            var countries = new List<CountryRunDensity>();
            for (var code = 0; code < _numbers.Length; code++)
            {
                if (_numbers[code] > 0)
                {
                    countries.Add(new CountryRunDensity(code, code == 0 ? "ZZ" : util.GetRegionCodeForCountryCode(code),
                        _numbers[code], _inShort[code], _inLong[code]));
                }
            }

            countries.Sort((a, b) => b.Numbers != a.Numbers ? b.Numbers.CompareTo(a.Numbers) : a.CallingCode.CompareTo(b.CallingCode));
            return new EnumerationResult
            {
                DistinctNumbers = _distinct,
                LongestRun = _longest,
                LongestRunStartMasked = _longest > 0 ? PhoneDigits.Mask(_longestStart, _longest) : null,
                LongestRunCallingCode = _longestCode,
                LongestRunRegion = _longest > 0 ? (_longestCode == 0 ? "ZZ" : util.GetRegionCodeForCountryCode(_longestCode)) : null,
                RunsOf10 = _runsShort,
                NumbersInRunsOf10 = _numbersShort,
                RunsOf100 = _runsLong,
                NumbersInRunsOf100 = _numbersLong,
                RunLengths = histogram,
                ByCountry = countries,
            };
        }
    }
}
