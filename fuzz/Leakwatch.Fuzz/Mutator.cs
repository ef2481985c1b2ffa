namespace Leakwatch.Fuzz;

/// <summary>AFL-style havoc without coverage feedback, for the bounded smoke run in <c>./test.sh</c>: stacks a few
/// random edits (bit flips, interesting bytes, dictionary tokens, deletions, duplications, splices with another
/// seed) onto a corpus input. Seeded, so a failing smoke run repeats exactly.</summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> tokens, int maxLength)
{
    private static readonly byte[] Interesting = [0, 0xFF, 0x7F, 0x80, 0xC3, 0xEF, (byte)'"', (byte)'\'', (byte)'\\', (byte)',',
        (byte)';', (byte)'\t', (byte)'\n', (byte)'\r', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)'(', (byte)')', (byte)'@',
        (byte)'+', (byte)'0', (byte)'9', (byte)'-', (byte)'.', (byte)' '];

    public byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(seed);
        var edits = 1 << random.Next(4);
        for (var i = 0; i < edits; i++)
        {
            Edit(data, corpus);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void Edit(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        var at = random.Next(data.Count + 1);
        switch (data.Count == 0 ? 3 : random.Next(8))
        {
            case 0:
                data[Math.Min(at, data.Count - 1)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                data[Math.Min(at, data.Count - 1)] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2:
                data.Insert(at, Interesting[random.Next(Interesting.Length)]);
                break;
            case 3 or 4 when tokens.Count > 0:
                data.InsertRange(at, tokens[random.Next(tokens.Count)]);
                break;
            case 5:
                data.RemoveRange(Math.Min(at, data.Count - 1), Math.Min(1 + random.Next(16), data.Count - Math.Min(at, data.Count - 1)));
                break;
            case 6:
                var from = random.Next(data.Count);
                var length = Math.Min(1 + random.Next(32), data.Count - from);
                data.InsertRange(at, data.GetRange(from, length));
                break;
            default:
                var other = corpus[random.Next(corpus.Count)];
                if (other.Length > 0)
                {
                    var start = random.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(start, Math.Min(other.Length - start, 1 + random.Next(64))).ToArray());
                }

                break;
        }
    }
}
