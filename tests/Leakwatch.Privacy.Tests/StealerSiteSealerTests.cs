namespace Leakwatch.Privacy.Tests;

/// <summary>Stealer-log blobs are sealed through libsodium's AES-GCM (when the CPU has AES-NI) and opened through
/// .NET's AesGcm (OpenSSL): both are the same standard cipher, on both sides of the short/long call split.</summary>
public sealed class StealerSiteSealerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lw-stealer-sealer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(70000)]
    public void Seal_AnyLength_OpensWithAesGcmAndFailsWhenAltered(int length)
    {
        var keys = KeyFile.Create(Path.Combine(_dir, "k.key"));
        using var sealer = new StealerSiteSealer(new StealerSealSession(keys, StealerSiteSealer.WebsitesContext));
        var plain = new byte[length];
        new Random(length).NextBytes(plain);
        var key = (UInt128)0xABCDEF << 48;
        var blob = sealer.Seal(key, plain);
        Assert.Equal(plain.Length + StealerSiteSealer.Overhead, blob.Length);

        using var opener = new StealerSiteSealer(new StealerSealSession(keys, StealerSiteSealer.WebsitesContext));
        Assert.Equal(plain, opener.OpenBytes(key, blob));

        blob[^1] ^= 1;
        Assert.Throws<Core.Errors.LeakwatchException>(() => opener.OpenBytes(key, blob));
    }
}
