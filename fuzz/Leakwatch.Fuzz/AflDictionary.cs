using System.Globalization;
using System.Text;

namespace Leakwatch.Fuzz;

/// <summary>Reads AFL's dictionary format (<c>name="value"</c>, with <c>\xNN</c>, <c>\\</c> and <c>\"</c> escapes),
/// so the smoke run mutates with the very tokens <c>fuzz/run.sh</c> hands to afl-fuzz.</summary>
internal static class AflDictionary
{
    public static List<byte[]> Read(string path)
    {
        var tokens = new List<byte[]>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            var open = line.IndexOf('"', StringComparison.Ordinal);
            if (line.StartsWith('#') || open < 0 || line.Length < open + 2 || line[^1] != '"')
            {
                continue;
            }

            tokens.Add(Unescape(line.AsSpan(open + 1, line.Length - open - 2)));
        }

        return tokens;
    }

    private static byte[] Unescape(ReadOnlySpan<char> value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 3 < value.Length && value[i + 1] == 'x'
                && byte.TryParse(value.Slice(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 3;
            }
            else if (value[i] == '\\' && i + 1 < value.Length)
            {
                bytes.Add((byte)value[++i]);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value.Slice(i, 1).ToString()));
            }
        }

        return [.. bytes];
    }
}
