using System.Security.Cryptography;

namespace Leakwatch.Privacy.Buckets;

public sealed class SecurePrivateRandom : IPrivateRandom
{
    public static readonly SecurePrivateRandom Instance = new();

    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    public int Next(int maxExclusive) => RandomNumberGenerator.GetInt32(maxExclusive);
}
