using Leakwatch.Core.Errors;
using Leakwatch.Privacy;
using Leakwatch.Tests.Shared;

namespace Leakwatch.Server.Tests;

/// <summary>The stealer-log sealing (issue 16): version 2 (a key per generation, counter nonces, the entry key as
/// associated data) round-trips, never repeats a nonce across threads, refuses a blob moved to another key or opened
/// under another key file or store context, and version-1 blobs still open.</summary>
public sealed class StealerSealerTests
{
    private static readonly UInt128 KeyA = new(0x0123_4567_89AB_CDEF, 0x1234_0000_0000_0000);
    private static readonly UInt128 KeyB = new(0x0123_4567_89AB_CDEF, 0x1235_0000_0000_0000);

    [Fact]
    public void Version2_RoundTrips_AndBindsKeyFileContextAndEntryKey()
    {
        using var dir = new TempDir();
        var keys = KeyFile.Create(dir.File("a.key"));
        var session = new StealerSealSession(keys, StealerSiteSealer.SitesContext);
        using var sealer = new StealerSiteSealer(session);
        var blob = sealer.Seal(KeyA, ["netflix.com", "spotify.com"]);
        Assert.Equal(2, blob[0]);
        Assert.Equal(StealerSiteSealer.Overhead + "netflix.com\nspotify.com".Length, blob.Length);

        // Another sealer (another salt, another generation) opens it from the salt it carries.
        using var later = new StealerSiteSealer(keys);
        Assert.Equal(["netflix.com", "spotify.com"], later.Open(KeyA, blob));

        Assert.Throws<LeakwatchException>(() => later.Open(KeyB, blob));
        using var otherFile = new StealerSiteSealer(KeyFile.Create(dir.File("b.key")));
        Assert.Throws<LeakwatchException>(() => otherFile.Open(KeyA, blob));
        using var otherStore = new StealerSiteSealer(new StealerSealSession(keys, StealerSiteSealer.WebsitesContext));
        Assert.Throws<LeakwatchException>(() => otherStore.Open(KeyA, blob));
        blob[^1] ^= 1;
        Assert.Throws<LeakwatchException>(() => later.Open(KeyA, blob));
    }

    [Fact]
    public void Version2_NoncesNeverRepeatAcrossThreadsOfOneSession()
    {
        using var dir = new TempDir();
        var session = new StealerSealSession(KeyFile.Create(dir.File("a.key")), StealerSiteSealer.SitesContext);
        var nonces = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        Parallel.For(0, 4, _ =>
        {
            using var sealer = new StealerSiteSealer(session);
            for (var i = 0; i < 5000; i++)
            {
                var blob = sealer.Seal(KeyA, "x"u8);
                Assert.True(nonces.TryAdd(Convert.ToHexString(blob.AsSpan(1 + StealerSealSession.SaltSize, 12)), true));
            }
        });
        Assert.Equal(20_000, nonces.Count);
    }

    [Fact]
    public void Version1_StillOpens()
    {
        using var dir = new TempDir();
        var keys = KeyFile.Create(dir.File("a.key"));
        var blob = StealerSiteSealer.SealVersion1ForTests(keys, KeyA, ["a.example", "b.example"]);
        Assert.Equal(1, blob[0]);
        using var sealer = new StealerSiteSealer(keys);
        Assert.Equal(["a.example", "b.example"], sealer.Open(KeyA, blob));
        Assert.Throws<LeakwatchException>(() => sealer.Open(KeyB, blob));
    }
}
