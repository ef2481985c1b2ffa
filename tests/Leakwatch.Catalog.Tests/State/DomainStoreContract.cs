using System.Security.Cryptography;
using System.Text;
using Leakwatch.Catalog.State;

namespace Leakwatch.Catalog.Tests.State;

/// <summary>What domain verification asks of the state store, on each engine: claims per key with hashed tokens,
/// a fresh token for a pending claim and none for a verified one, one-time expiring mailed links, the gate
/// <see cref="StateStore.IsDomainVerified"/>, and removal.</summary>
public abstract class DomainStoreContract : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    protected DomainStoreContract() => DataDir = Directory.CreateTempSubdirectory("lw-domains-").FullName;

    protected string DataDir { get; }

    protected abstract StateLocation NewLocation();

    public void Dispose()
    {
        Directory.Delete(DataDir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    [Fact]
    public void AddDomain_PendingGetsAFreshToken_VerifiedKeepsItsState_EachKeySeparately()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var a = store.CreateKey("alpha", 60, T0).Key.Id;
        var b = store.CreateKey("beta", 60, T0).Key.Id;

        var first = store.AddDomain(a, "example.com", Hash("t1"), T0);
        Assert.True(first.TokenIssued);
        Assert.Equal(new OwnedDomain(a, "alpha", "example.com", T0, null, null), first.Domain);
        Assert.Equal("pending", first.Domain.State);
        Assert.Equal(Hash("t1"), store.DomainTokenHash(a, "example.com"));

        var again = store.AddDomain(a, "example.com", Hash("t2"), T0.AddMinutes(1));
        Assert.True(again.TokenIssued);
        Assert.Equal(T0, again.Domain.Created);
        Assert.Equal(Hash("t2"), store.DomainTokenHash(a, "example.com"));

        Assert.True(store.MarkDomainVerified(a, "example.com", "dns", T0.AddMinutes(2)));
        Assert.True(store.IsDomainVerified(a, "example.com"));
        Assert.False(store.IsDomainVerified(b, "example.com"));
        var verified = store.AddDomain(a, "example.com", Hash("t3"), T0.AddMinutes(3));
        Assert.False(verified.TokenIssued);
        Assert.Equal("dns", verified.Domain.Method);
        Assert.Equal(T0.AddMinutes(2), verified.Domain.Verified);
        Assert.Equal(Hash("t2"), store.DomainTokenHash(a, "example.com"));

        // Another key claims the same domain on its own, and is not verified by the first key's proof.
        Assert.True(store.AddDomain(b, "example.com", Hash("u1"), T0).TokenIssued);
        Assert.False(store.IsDomainVerified(b, "example.com"));
        Assert.Equal([(a, "verified"), (b, "pending")], store.Domains().Select(d => (d.KeyId, d.State)));
        Assert.Equal(["example.com"], store.VerifiedDomains(a).Select(d => d.Domain));
        Assert.Empty(store.VerifiedDomains(b));
        Assert.False(store.MarkDomainVerified(b, "other.com", "dns", T0));
    }

    [Fact]
    public void MailToken_WorksOnce_ExpiresAndIsThrottled_AndVerifiesByEmail()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var a = store.CreateKey("alpha", 60, T0).Key.Id;
        store.AddDomain(a, "example.org", Hash("dns"), T0);

        Assert.True(store.AddDomainMailToken(Hash("m1"), a, "example.org", T0, T0.AddHours(24), TimeSpan.FromMinutes(10)));
        Assert.False(store.AddDomainMailToken(Hash("m2"), a, "example.org", T0.AddMinutes(5), T0.AddHours(24), TimeSpan.FromMinutes(10)));
        Assert.Equal("example.org", store.DomainMailTokenPending(Hash("m1"), T0.AddHours(1)));
        Assert.Null(store.DomainMailTokenPending(Hash("m2"), T0.AddHours(1)));
        Assert.Null(store.DomainMailTokenPending(Hash("m1"), T0.AddHours(25)));

        var confirmed = store.ConfirmDomainMailToken(Hash("m1"), T0.AddHours(1));
        Assert.NotNull(confirmed);
        Assert.Equal("email", confirmed.Method);
        Assert.Equal(T0.AddHours(1), confirmed.Verified);
        Assert.True(store.IsDomainVerified(a, "example.org"));
        Assert.Null(store.ConfirmDomainMailToken(Hash("m1"), T0.AddHours(1)));

        // An expired link verifies nothing.
        store.AddDomain(a, "example.net", Hash("dns2"), T0);
        Assert.True(store.AddDomainMailToken(Hash("m3"), a, "example.net", T0, T0.AddHours(24), TimeSpan.FromMinutes(10)));
        Assert.Null(store.ConfirmDomainMailToken(Hash("m3"), T0.AddHours(24)));
        Assert.False(store.IsDomainVerified(a, "example.net"));
    }

    [Fact]
    public void DomainAlertAddress_IsTheSealedAddressOfTheUsedLink_OnlyForAClaimVerifiedByMail()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var a = store.CreateKey("alpha", 60, T0).Key.Id;
        store.AddDomain(a, "example.org", Hash("dns"), T0);
        store.AddDomain(a, "example.com", Hash("dns2"), T0);
        Assert.True(store.AddDomainMailToken(Hash("m1"), a, "example.org", T0, T0.AddHours(24), TimeSpan.FromMinutes(10), [0xA1, 0xA2]));
        Assert.True(store.AddDomainMailToken(Hash("m2"), a, "example.com", T0, T0.AddHours(24), TimeSpan.FromMinutes(10), [0xB1]));
        Assert.Null(store.DomainAlertAddress(a, "example.org")); // not used yet

        Assert.NotNull(store.ConfirmDomainMailToken(Hash("m1"), T0.AddHours(1)));
        Assert.Equal(new byte[] { 0xA1, 0xA2 }, store.DomainAlertAddress(a, "example.org"));

        // Verified by DNS first: a mailed link used later leaves the claim without a mail address (method stays dns).
        Assert.True(store.MarkDomainVerified(a, "example.com", "dns", T0.AddMinutes(30)));
        Assert.NotNull(store.ConfirmDomainMailToken(Hash("m2"), T0.AddHours(1)));
        Assert.Null(store.DomainAlertAddress(a, "example.com"));
        Assert.Null(store.DomainAlertAddress(a + 1, "example.org"));
    }

    [Fact]
    public void RemoveDomain_DropsTheClaimAndItsLinks()
    {
        using var store = StateStore.Open(NewLocation(), DataDir);
        var a = store.CreateKey("alpha", 60, T0).Key.Id;
        store.AddDomain(a, "example.com", Hash("t"), T0);
        Assert.True(store.AddDomainMailToken(Hash("m"), a, "example.com", T0, T0.AddHours(24), TimeSpan.FromMinutes(10)));

        Assert.True(store.RemoveDomain(a, "example.com"));
        Assert.False(store.RemoveDomain(a, "example.com"));
        Assert.Null(store.Domain(a, "example.com"));
        Assert.Null(store.DomainMailTokenPending(Hash("m"), T0));
        Assert.Empty(store.Domains(a));
    }
}
