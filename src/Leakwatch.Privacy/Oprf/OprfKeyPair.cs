namespace Leakwatch.Privacy.Oprf;

/// <summary>A server key pair: <see cref="PrivateKey"/> is skS (a non-zero scalar), <see cref="PublicKey"/> is
/// pkS = skS·G. Mode 0 never sends pkS; it is kept for a later VOPRF mode and for key fingerprints.</summary>
public sealed class OprfKeyPair
{
    public OprfKeyPair(byte[] privateKey, byte[] publicKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (privateKey.Length != Ristretto255.ScalarSize || publicKey.Length != Ristretto255.ElementSize)
        {
            throw new ArgumentException("a ristretto255 key pair is a 32-byte scalar and a 32-byte element", nameof(privateKey));
        }

        PrivateKey = privateKey;
        PublicKey = publicKey;
    }

    public byte[] PrivateKey { get; }

    public byte[] PublicKey { get; }
}
