using System.Diagnostics;
using System.Globalization;

namespace Leakwatch.Fuzz;

/// <summary>
/// The bounded run <c>./test.sh</c> does: for each target, every committed corpus input (seeds and the regression
/// inputs of crashes already fixed), then in-process mutations of them for a fixed time. In-process because an
/// afl-fuzz start per target (instrumenting, calibrating) would eat the smoke's whole budget; the long runs use
/// afl-fuzz (<c>fuzz/run.sh</c>). A crashing input is written under <c>artifacts/fuzz-crashes/</c>; an input running
/// longer than <see cref="HangAfter"/> is a hang, and ends the process after saying so.
/// </summary>
internal sealed class SmokeRun(string fuzzDir, string crashDir, TimeSpan perTarget, int seed)
{
    // Generous: a loaded 2-core box can stall one input for seconds; a real hang never ends.
    private static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(30);
    private const int MaxInputBytes = 4096;

    private long _inputStarted = long.MaxValue;
    private string _current = "";
    private byte[] _currentInput = [];

    /// <summary>Runs <paramref name="targets"/>; prints one line per target and the closing count line.</summary>
    public int Run(IReadOnlyList<FuzzTarget> targets)
    {
        var watchdog = new Thread(Watch) { IsBackground = true, Name = "fuzz-hang-watchdog" };
        watchdog.Start();
        var tokens = AflDictionary.Read(Path.Combine(fuzzDir, "leakwatch.dict"));
        int passed = 0, failed = 0;
        foreach (var target in targets)
        {
            if (RunTarget(target, tokens))
            {
                passed++;
            }
            else
            {
                failed++;
            }
        }

        Console.WriteLine($"fuzz: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private bool RunTarget(FuzzTarget target, List<byte[]> tokens)
    {
        var corpus = Corpus.Read(Path.Combine(fuzzDir, "corpus", target.Name));
        corpus.AddRange(Corpus.Read(Path.Combine(fuzzDir, "regressions", target.Name)));
        if (corpus.Count == 0)
        {
            Console.WriteLine($"fuzz {target.Name}: FAIL no corpus under {Path.Combine(fuzzDir, "corpus", target.Name)}");
            return false;
        }

        var clock = Stopwatch.StartNew();
        foreach (var input in corpus)
        {
            if (!Try(target, input))
            {
                return false;
            }
        }

        var random = new Random(HashCode.Combine(seed, target.Name.Length, target.Name[0], target.Name[^1]));
        var mutator = new Mutator(random, tokens, MaxInputBytes);
        long runs = corpus.Count;
        while (clock.Elapsed < perTarget)
        {
            if (!Try(target, mutator.Mutate(corpus[random.Next(corpus.Count)], corpus)))
            {
                return false;
            }

            runs++;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz {target.Name}: ok, {corpus.Count} corpus inputs and {runs - corpus.Count} mutations in {clock.Elapsed.TotalSeconds:F1} s"));
        return true;
    }

    private bool Try(FuzzTarget target, byte[] input)
    {
        _current = target.Name;
        _currentInput = input;
        Volatile.Write(ref _inputStarted, Stopwatch.GetTimestamp());
        var ok = FuzzTargets.Survives(target, input, out var crash);
        Volatile.Write(ref _inputStarted, long.MaxValue);
        if (!ok)
        {
            var saved = Save(target.Name, input);
            Console.WriteLine($"fuzz {target.Name}: FAIL {crash!.GetType().Name}: {crash.Message} (input saved as {saved})");
            Console.WriteLine(crash.StackTrace);
        }

        return ok;
    }

    private void Watch()
    {
        while (true)
        {
            Thread.Sleep(500);
            var started = Volatile.Read(ref _inputStarted);
            if (started != long.MaxValue && Stopwatch.GetElapsedTime(started) > HangAfter)
            {
                var saved = Save(_current, _currentInput);
                Console.WriteLine($"fuzz {_current}: FAIL hang, one input ran over {HangAfter.TotalSeconds} s (input saved as {saved})");
                Console.WriteLine("fuzz: 0 passed, 1 failed");
                Environment.Exit(1);
            }
        }
    }

    private string Save(string target, byte[] input)
    {
        Directory.CreateDirectory(crashDir);
        var path = Path.Combine(crashDir, $"{target}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(input))[..12]}");
        File.WriteAllBytes(path, input);
        return path;
    }
}
