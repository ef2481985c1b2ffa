using System.Globalization;
using Leakwatch.Fuzz;
using SharpFuzz;

// leakwatch-fuzz afl TARGET                      under afl-fuzz (fuzz/run.sh); without AFL, runs stdin once
// leakwatch-fuzz replay TARGET PATH...           each file (or every file of each directory) once; exit 1 on a crash
// leakwatch-fuzz smoke FUZZ_DIR SECONDS [SEED]   corpus + in-process mutations for SECONDS per target (./test.sh)
// leakwatch-fuzz list
var usage = "usage: Leakwatch.Fuzz afl TARGET | replay TARGET PATH... | smoke FUZZ_DIR SECONDS [SEED] | list";
if (args.Length == 0)
{
    Console.Error.WriteLine(usage);
    return 2;
}

switch (args[0])
{
    case "list":
        foreach (var t in FuzzTargets.All)
        {
            Console.WriteLine($"{t.Name,-10} {t.Covers}");
        }

        return 0;
    case "afl" when args.Length == 2 && FuzzTargets.Find(args[1]) is { } target:
        var buffer = new byte[1 << 20];
        Fuzzer.Run(stream =>
        {
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            try
            {
                target.Run(buffer.AsSpan(0, length));
            }
            catch (Exception e) when (target.IsBadInput(e))
            {
                // The documented answer to bad input; anything else escapes and afl-fuzz records a crash.
            }
        });
        return 0;
    case "replay" when args.Length >= 3 && FuzzTargets.Find(args[1]) is { } target:
        var failures = 0;
        foreach (var path in args.Skip(2))
        {
            var files = Directory.Exists(path) ? Directory.GetFiles(path, "*", SearchOption.AllDirectories) : [path];
            foreach (var file in files)
            {
                if (!FuzzTargets.Survives(target, File.ReadAllBytes(file), out var crash))
                {
                    failures++;
                    Console.WriteLine($"{file}: {crash}");
                }
            }
        }

        Console.WriteLine(failures == 0 ? "no crash" : $"{failures} crashing input(s)");
        return failures == 0 ? 0 : 1;
    case "smoke" when args.Length is 3 or 4 && double.TryParse(args[2], CultureInfo.InvariantCulture, out var seconds):
        var seed = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var root = Path.GetFullPath(Path.Combine(args[1], ".."));
        var smoke = new SmokeRun(args[1], Path.Combine(root, "artifacts", "fuzz-crashes"), TimeSpan.FromSeconds(seconds), seed);
        return smoke.Run(FuzzTargets.All);
    default:
        Console.Error.WriteLine(usage);
        return 2;
}
