namespace Leakwatch.Privacy.Buckets;

/// <summary>Randomness for entries (nonces, dummies, which dummies to drop). Real builds use the OS CSPRNG; tests
/// and golden files inject a seeded one.</summary>
public interface IPrivateRandom
{
    void Fill(Span<byte> destination);

    /// <summary>Uniform in [0, maxExclusive).</summary>
    int Next(int maxExclusive);
}
