using Leakwatch.Privacy;

namespace Leakwatch.Notify.Tests;

public sealed class NotifyTokensTests
{
    [Fact]
    public void UnsubscribeToken_IsStablePerKeyAndIdentifier_AndDiffersAcrossKeyFiles()
    {
        var a = new NotifyTokens(KeyFile.Ephemeral());
        var b = new NotifyTokens(KeyFile.Ephemeral());
        byte[] key1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        byte[] key2 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11];

        Assert.Equal(a.UnsubscribeToken(key1), a.UnsubscribeToken(key1));
        Assert.NotEqual(a.UnsubscribeToken(key1), a.UnsubscribeToken(key2));
        Assert.NotEqual(a.UnsubscribeToken(key1), b.UnsubscribeToken(key1));
        Assert.Equal(43, a.UnsubscribeToken(key1).Length);
        Assert.DoesNotContain('=', a.UnsubscribeToken(key1));
    }

    [Fact]
    public void NewToken_IsRandomAndUrlSafe_AndItsHashIsWhatIsStored()
    {
        var t1 = NotifyTokens.NewToken();
        var t2 = NotifyTokens.NewToken();
        Assert.NotEqual(t1, t2);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", t1);
        Assert.Equal(32, NotifyTokens.Hash(t1).Length);
        Assert.Equal(NotifyTokens.Hash(t1), NotifyTokens.Hash(t1));
        Assert.NotEqual(NotifyTokens.Hash(t1), NotifyTokens.Hash(t2));
    }

    [Fact]
    public void MailPayload_OpensOnlyWithItsMessageId()
    {
        var sealing = new NotifySealing(KeyFile.Ephemeral());
        var sealedPayload = new MailPayload("someone@example.com", "tok").Seal(sealing, "m1");
        Assert.Equal("someone@example.com", MailPayload.Open(sealing, sealedPayload, "m1").To);
        Assert.DoesNotContain("someone", System.Text.Encoding.UTF8.GetString(sealedPayload), StringComparison.Ordinal);
        Assert.Throws<Leakwatch.Core.Errors.LeakwatchException>(() => MailPayload.Open(sealing, sealedPayload, "m2"));
    }
}
