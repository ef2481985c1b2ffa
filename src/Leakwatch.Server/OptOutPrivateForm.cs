using System.Buffers.Binary;
using System.Text;
using Leakwatch.Privacy;
using Leakwatch.Privacy.Buckets;
using Leakwatch.Privacy.Oprf;

namespace Leakwatch.Server;

/// <summary>
/// What the private tier needs to drop an opted-out identifier's bucket entries without the identifier: for each OPRF
/// key the key file holds when the person asks (the active one, and a pending one a rotation will publish under), the
/// identifier's OPRF output y under that key and its bucket (section code and bucket hash). Computed while the server
/// holds the identifier (the opt-out request), stored only sealed (<c>optout_private.sealed_private</c>, AES-GCM
/// under the key-file subkey <c>optout-private</c>): y is a keyed value, and opening it needs the key file.
/// </summary>
internal static class OptOutPrivateForm
{
    private const string Purpose = "optout-private";
    private static ReadOnlySpan<byte> Context => "optout_private.sealed_private"u8;

    /// <summary>One OPRF key's view of the identifier.</summary>
    public readonly record struct Entry(string KeyId, int Section, uint BucketHash, byte[] Output);

    /// <summary>The sealed form of the canonical email's private-tier entries; null when the key file has no OPRF key.</summary>
    public static byte[]? SealFor(KeyFile keys, ReadOnlySpan<char> canonicalEmail)
    {
        Span<byte> input = stackalloc byte[PrivateProtocol.MaxInputLength];
        input = input[..PrivateProtocol.WriteEmailInput(canonicalEmail, input)];
        var section = PrivateProtocol.SectionOf(input);
        var bucketHash = PrivateProtocol.BucketHash(input);
        var plain = new List<byte>(1 + 2 * (1 + 64 + 8 + 64));
        var count = 0;
        Span<byte> numbers = stackalloc byte[8];
        foreach (var key in new[] { keys.ActiveOprfKey, keys.PendingOprfKey })
        {
            if (key is null)
            {
                continue;
            }

            var y = new byte[OprfSuite.OutputSize];
            key.Evaluate(input, y);
            var id = Encoding.ASCII.GetBytes(key.KeyId);
            plain.Add(checked((byte)id.Length));
            plain.AddRange(id);
            BinaryPrimitives.WriteInt32BigEndian(numbers, section);
            BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], bucketHash);
            plain.AddRange(numbers.ToArray());
            plain.AddRange(y);
            count++;
        }

        if (count == 0)
        {
            return null;
        }

        plain.Insert(0, (byte)count);
        var bytes = plain.ToArray();
        try
        {
            return new FieldSealer(keys, Purpose).Seal(bytes, Context);
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    /// <summary>Opens a sealed form (throws on a value this key file did not seal).</summary>
    public static List<Entry> Open(KeyFile keys, byte[] sealedForm)
    {
        var plain = new FieldSealer(keys, Purpose).Open(sealedForm, "optout_private.sealed_private", Context);
        var entries = new List<Entry>();
        var at = 1;
        for (var i = 0; i < plain[0]; i++)
        {
            var idLength = plain[at++];
            var id = Encoding.ASCII.GetString(plain, at, idLength);
            at += idLength;
            var section = BinaryPrimitives.ReadInt32BigEndian(plain.AsSpan(at));
            var hash = BinaryPrimitives.ReadUInt32BigEndian(plain.AsSpan(at + 4));
            at += 8;
            entries.Add(new Entry(id, section, hash, plain.AsSpan(at, OprfSuite.OutputSize).ToArray()));
            at += OprfSuite.OutputSize;
        }

        return entries;
    }
}
