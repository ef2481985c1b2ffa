using System.Text.RegularExpressions;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Notify.Delivery;
using Leakwatch.Notify.Mail;
using MimeKit;
using SmtpServer.Protocol;

namespace Leakwatch.Notify.Tests;

/// <summary>Mail delivery end to end: outbox rows in a real SQLite state store, the delivery loop with the SMTP
/// channel, a real SMTP server on loopback, and the received mails parsed with MimeKit.</summary>
public sealed partial class MailDeliveryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    private const string Description =
        "In October 2026, <a href=\"https://megashop.example\" target=\"_blank\">MegaShop</a> lost its customer database &amp; " +
        "order history.<script>alert('x')</script> The data, including passwords stored as unsalted MD5 hashes, was posted on a hacking forum.";

    private readonly NotifyFixture _fx = new(T0);
    private readonly LoopbackSmtpServer _smtp = new();
    private SmtpDeliveryChannel _channel = null!;

    public Task InitializeAsync()
    {
        var options = _fx.Mail(_smtp);
        _channel = new SmtpDeliveryChannel(options, new MailComposer(options, _fx.Store, _fx.Sealing, _fx.Clock));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _smtp.DisposeAsync();
        _fx.Dispose();
    }

    private DeliveryLoop Loop() => new(_fx.Store, [_channel], new DeliveryLoopOptions(), _fx.Clock);

    private int MegaShop() => _fx.InsertBreach("MegaShop", "MegaShop", Description,
        DataClass.EmailAddresses, DataClass.Passwords, DataClass.Names, DataClass.PhoneNumbers);

    [Fact]
    public async Task BreachMail_ReachesARealSmtpServer_AsTextAndHtml_NamingTheBreach_WithWorkingOneClickUnsubscribe()
    {
        var alice = _fx.Verified("alice.liddell@example.com");
        var bob = _fx.Verified("bob.builder@example.org");
        var breach = MegaShop();
        _fx.Enqueue(_fx.BreachExposed(alice.Id, breach), _fx.BreachExposed(bob.Id, breach));

        Assert.Equal(2, await Loop().RunOnceAsync(CancellationToken.None));

        Assert.Equal(2, _smtp.Accepted.Count);
        Assert.Equal(2, _fx.Store.OutboxStatus().Delivered);
        var toAlice = Assert.Single(_smtp.Accepted, m => m.To.Contains("alice.liddell@example.com"));
        var mail = toAlice.Message;
        Assert.Equal("You were found in a new breach: MegaShop", mail.Subject);
        Assert.Equal("alerts@leakwatch.example", ((MailboxAddress)mail.From[0]).Address);
        Assert.Equal("alice.liddell@example.com", ((MailboxAddress)Assert.Single(mail.To)).Address);

        var alternative = Assert.IsType<MultipartAlternative>(mail.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType).ToArray());
        var text = mail.TextBody;
        var html = mail.HtmlBody;
        foreach (var body in new[] { text, html })
        {
            Assert.Contains("MegaShop", body, StringComparison.Ordinal);
            Assert.Contains("14 October 2026", body, StringComparison.Ordinal);
            Assert.Contains("Passwords", body, StringComparison.Ordinal);
            Assert.Contains("https://leakwatch.example/breaches/MegaShop/report", body, StringComparison.Ordinal);
            // The advice for the exposed classes, from the page's table.
            foreach (var rule in ExposureAdvice.For([DataClass.EmailAddresses, DataClass.Passwords, DataClass.Names, DataClass.PhoneNumbers]))
            {
                Assert.Contains(rule.Title, body, StringComparison.Ordinal);
            }
        }

        Assert.Contains("lost its customer database & order history.", text, StringComparison.Ordinal);
        // The catalogue's markup never reaches the mail as markup.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert(", text + html, StringComparison.Ordinal);
        Assert.DoesNotContain("megashop.example\" target", html, StringComparison.Ordinal);

        // RFC 8058 one-click unsubscribe, the same link in the body, and it is the subscription's own token.
        var listUnsubscribe = mail.Headers[HeaderId.ListUnsubscribe];
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        var link = UnsubscribeLink().Match(listUnsubscribe ?? "");
        Assert.True(link.Success, listUnsubscribe);
        Assert.Contains(link.Groups["url"].Value, text, StringComparison.Ordinal);
        Assert.Contains(link.Groups["url"].Value, html, StringComparison.Ordinal);
        Assert.Equal(_fx.Sealing.Tokens.UnsubscribeToken(alice.MatchKey), Uri.UnescapeDataString(link.Groups["token"].Value));

        // Nothing of the other subscriber: not the address, not its local part, not its unsubscribe token.
        var raw = System.Text.Encoding.UTF8.GetString(toAlice.Raw);
        Assert.DoesNotContain("bob", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_fx.Sealing.Tokens.UnsubscribeToken(bob.MatchKey), raw, StringComparison.Ordinal);
        var toBob = Assert.Single(_smtp.Accepted, m => m.To.Contains("bob.builder@example.org"));
        Assert.DoesNotContain("alice", System.Text.Encoding.UTF8.GetString(toBob.Raw), StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(mail.MessageId, toBob.Message.MessageId);
        Assert.EndsWith("@leakwatch.example", mail.MessageId, StringComparison.Ordinal);

        SampleMail.Write(mail);

        // The token's hash is the stored one: unsubscribing with it erases the subscription.
        Assert.True(_fx.Store.Unsubscribe(NotifyTokens.Hash(Uri.UnescapeDataString(link.Groups["token"].Value))));
        Assert.Null(_fx.Store.SubscriptionById(alice.Id));
        Assert.NotNull(_fx.Store.SubscriptionById(bob.Id));
    }

    [Fact]
    public async Task RefusedWith451_IsRetriedAfterTheBackoff_UnderTheSameMessageId()
    {
        var alice = _fx.Verified("alice.liddell@example.com");
        _fx.Enqueue(_fx.BreachExposed(alice.Id, MegaShop()));
        _smtp.RefuseNext((SmtpReplyCode)451);
        var loop = Loop();

        Assert.Equal(1, await loop.RunOnceAsync(CancellationToken.None));
        var pending = Assert.Single(_fx.Store.Outbox(OutboxState.Pending, 10));
        Assert.Equal(1, pending.Attempts);
        Assert.Contains("451", pending.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", pending.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(pending.NextAttempt, T0 + TimeSpan.FromSeconds(1), T0 + RetrySchedule.Ceilings[0]);
        // Not due yet: nothing is claimed.
        Assert.Equal(0, await loop.RunOnceAsync(CancellationToken.None));

        _fx.Clock.Now = pending.NextAttempt;
        Assert.Equal(1, await loop.RunOnceAsync(CancellationToken.None));
        Assert.Equal(1, _fx.Store.OutboxStatus().Delivered);
        var attempts = _smtp.Received.ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.False(attempts[0].Accepted);
        Assert.True(attempts[1].Accepted);
        Assert.Equal(attempts[0].Message.MessageId, attempts[1].Message.MessageId);
        Assert.Equal($"{pending.MessageId}@leakwatch.example", attempts[1].Message.MessageId);
    }

    [Fact]
    public async Task RecipientRefusedWith550_IsDeadAtOnce_AndTheErrorNamesNoAddress()
    {
        var alice = _fx.Verified("alice.liddell@example.com");
        _fx.Enqueue(_fx.BreachExposed(alice.Id, MegaShop()));
        _smtp.RefusedRecipients["alice.liddell@example.com"] = true;

        Assert.Equal(1, await Loop().RunOnceAsync(CancellationToken.None));

        var dead = Assert.Single(_fx.Store.Outbox(OutboxState.Dead, 10));
        Assert.Contains("550", dead.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", dead.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_smtp.Accepted);
    }

    [Fact]
    public async Task VerificationMail_CarriesAOneTimeLink_ThatVerifiesTheSubscription()
    {
        var (key, token) = _fx.Subscribe("carol@example.net");
        _fx.Enqueue(_fx.LinkMail(NotifyEvents.SubscriptionVerify, 0, "carol@example.net", token));

        Assert.Equal(1, await Loop().RunOnceAsync(CancellationToken.None));

        var mail = Assert.Single(_smtp.Accepted).Message;
        Assert.Equal("Confirm your Leakwatch alerts", mail.Subject);
        Assert.Contains("24 hours", mail.TextBody, StringComparison.Ordinal);
        // No unsubscribe header: the address has not subscribed yet.
        Assert.Null(mail.Headers[HeaderId.ListUnsubscribe]);
        var link = VerifyLink().Match(mail.TextBody ?? "");
        Assert.True(link.Success, mail.TextBody);
        Assert.Contains(link.Value, mail.HtmlBody, StringComparison.Ordinal);
        var verified = _fx.Store.VerifySubscription(NotifyTokens.Hash(Uri.UnescapeDataString(link.Groups["token"].Value)), _fx.Clock.Now);
        Assert.NotNull(verified);
        Assert.Equal(key, verified.MatchKey);
    }

    [Fact]
    public async Task ManyMails_ShareAFewConnections()
    {
        var breach = MegaShop();
        var rows = new List<OutboxItem>();
        for (var i = 0; i < 24; i++)
        {
            rows.Add(_fx.BreachExposed(_fx.Verified($"user{i}@example.com").Id, breach));
        }

        _fx.Enqueue([.. rows]);
        var loop = Loop();
        Assert.Equal(24, await loop.RunOnceAsync(CancellationToken.None));
        _fx.Enqueue(_fx.BreachExposed(_fx.Verified("late@example.com").Id, breach));
        Assert.Equal(1, await loop.RunOnceAsync(CancellationToken.None));

        Assert.Equal(25, _smtp.Accepted.Count);
        Assert.InRange(_channel.ConnectionsOpened, 1, new DeliveryLoopOptions().PerDestination);
        Assert.InRange(_smtp.Sessions, 1, new DeliveryLoopOptions().PerDestination);
    }

    [Fact]
    public void RowOfAnErasedSubscription_CannotBeComposed()
    {
        var alice = _fx.Verified("alice.liddell@example.com");
        var item = _fx.BreachExposed(alice.Id, MegaShop());
        _fx.Enqueue(item);
        // Erased between matching and delivery (DELETE removes its rows too; here only the subscription row goes).
        var options = _fx.Mail(_smtp);
        var composer = new MailComposer(options, _fx.Store, _fx.Sealing, _fx.Clock);
        Assert.True(composer.TryCompose(_fx.Store.Outbox(OutboxState.Pending, 1)[0], out _, out _));
        Assert.False(composer.TryCompose(item with { TargetId = alice.Id + 1000 }, out var none, out var problem));
        Assert.Null(none);
        Assert.Contains("subscription", problem, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^<(?<url>https://leakwatch\.example/subscriptions/unsubscribe\?token=(?<token>[A-Za-z0-9_%-]+))>$", RegexOptions.None, 1000)]
    private static partial Regex UnsubscribeLink();

    [GeneratedRegex(@"https://leakwatch\.example/subscriptions/verify\?token=(?<token>[A-Za-z0-9_%-]+)", RegexOptions.None, 1000)]
    private static partial Regex VerifyLink();
}
