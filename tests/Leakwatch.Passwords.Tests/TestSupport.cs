using System.Buffers;
using System.Globalization;
using System.Text;

namespace Leakwatch.Passwords.Tests;

internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("lw-passwords-test-").FullName;

    public string Path { get; }

    public string DataDir => System.IO.Path.Combine(Path, "data");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Support
{
    /// <summary>Small runs so that tests exercise spilling and the k-way merge.</summary>
    public static readonly PasswordIngestOptions TinyRuns = new() { RunBytes = 64 * 32 };

    public static string Range(PasswordRangeStore store, PasswordHashMode mode, string prefix)
    {
        var w = new ArrayBufferWriter<byte>();
        store.WriteRange(mode, prefix, w);
        return Encoding.ASCII.GetString(w.WrittenSpan);
    }

    /// <summary>Sums HASH:COUNT lines: full upper-case hash → total count.</summary>
    public static Dictionary<string, long> Reference(IEnumerable<string> lines)
    {
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(':');
            var hash = parts[0].ToUpperInvariant();
            d[hash] = d.GetValueOrDefault(hash) + long.Parse(parts[1], CultureInfo.InvariantCulture);
        }

        return d;
    }

    /// <summary>The range body HIBP would send for a prefix, computed with LINQ over the reference.</summary>
    public static string ReferenceRange(Dictionary<string, long> reference, string prefix) =>
        string.Join("\r\n", reference
            .Where(kv => kv.Key.StartsWith(prefix.ToUpperInvariant(), StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key[5..]}:{kv.Value.ToString(CultureInfo.InvariantCulture)}"));

    public static string RandomHex(Random rng, int digits)
    {
        var sb = new StringBuilder(digits);
        for (var i = 0; i < digits; i++)
        {
            sb.Append("0123456789ABCDEF"[rng.Next(16)]);
        }

        return sb.ToString();
    }

    /// <summary>Random hashes concentrated in a few prefixes so ranges hold many lines.</summary>
    public static List<string> RandomHashes(Random rng, int count, int hexDigits, string[] prefixes)
    {
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var prefix = rng.Next(4) == 0 ? RandomHex(rng, 5) : prefixes[rng.Next(prefixes.Length)];
            list.Add(prefix + RandomHex(rng, hexDigits - 5));
        }

        return list;
    }
}
