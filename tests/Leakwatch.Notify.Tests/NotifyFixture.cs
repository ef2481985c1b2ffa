using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Notify.Mail;
using Leakwatch.Privacy;

namespace Leakwatch.Notify.Tests;

/// <summary>A real SQLite state store in a temporary data dir, an ephemeral key file, and helpers that subscribe
/// addresses and enqueue notifications the way the subscription endpoints and matching do.</summary>
internal sealed class NotifyFixture : IDisposable
{
    public static readonly TimeSpan Day = TimeSpan.FromHours(24);
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly IdentifierHasher _hasher;
    private int _messages;

    public NotifyFixture(DateTimeOffset now)
    {
        DataDir = Directory.CreateTempSubdirectory("leakwatch-notify-").FullName;
        Keys = KeyFile.Ephemeral();
        Sealing = new NotifySealing(Keys);
        _hasher = new IdentifierHasher(Keys);
        Store = StateStore.Open(null, DataDir);
        Clock = new ManualClock(now);
    }

    public string DataDir { get; }

    public KeyFile Keys { get; }

    public NotifySealing Sealing { get; }

    public StateStore Store { get; }

    public ManualClock Clock { get; }

    public byte[] MatchKey(string email)
    {
        var normalized = EmailNormalizer.Normalize(email) ?? throw new ArgumentException("not an email", nameof(email));
        var key = new byte[10];
        IndexKeys.WriteBigEndian(_hasher.HashEmail(normalized), key);
        return key;
    }

    /// <summary>Subscribes <paramref name="email"/> and returns its verification token.</summary>
    public (byte[] MatchKey, string VerifyToken) Subscribe(string email)
    {
        var key = MatchKey(email);
        var token = NotifyTokens.NewToken();
        var sealedAddress = Sealing.Address.Seal(System.Text.Encoding.UTF8.GetBytes(email), NotifySealing.AddressContext);
        var outcome = Store.Subscribe(key, sealedAddress, NotifyTokens.Hash(token), NotifyTokens.Hash(Sealing.Tokens.UnsubscribeToken(key)),
            Clock.Now, Day, Hour);
        Assert.Equal(SubscribeOutcome.SendVerification, outcome);
        return (key, token);
    }

    /// <summary>Subscribes and verifies <paramref name="email"/>; returns the subscription.</summary>
    public Subscription Verified(string email)
    {
        var (_, token) = Subscribe(email);
        return Store.VerifySubscription(NotifyTokens.Hash(token), Clock.Now) ?? throw new InvalidOperationException("verification failed");
    }

    public int InsertBreach(string name, string title, string description, params string[] dataClasses) => Store.InsertBreach(new Breach
    {
        Name = name,
        Title = title,
        Domain = name.ToLowerInvariant() + ".example",
        BreachDate = new DateOnly(2026, 10, 14),
        AddedDate = Clock.Now,
        ModifiedDate = Clock.Now,
        PwnCount = 1_234_567,
        Description = description,
        DataClasses = dataClasses,
        IsVerified = true,
    });

    public OutboxItem BreachExposed(long subscriptionId, int breachId) => new()
    {
        Dedupe = $"mail:{subscriptionId}:breach:{breachId}",
        Channel = OutboxChannel.Mail,
        TargetId = subscriptionId,
        BreachId = breachId,
        Event = NotifyEvents.BreachExposed,
        MessageId = $"n{subscriptionId}.{breachId}.{Interlocked.Increment(ref _messages)}",
    };

    public OutboxItem LinkMail(string evt, long targetId, string email, string token)
    {
        var messageId = $"l{targetId}.{Interlocked.Increment(ref _messages)}";
        return new OutboxItem
        {
            Dedupe = $"{evt}:{targetId}:{messageId}",
            Channel = OutboxChannel.Mail,
            TargetId = targetId,
            BreachId = 0,
            Event = evt,
            MessageId = messageId,
            SealedPayload = new MailPayload(email, token).Seal(Sealing, messageId),
        };
    }

    /// <summary>Queues rows as a matching pass would: the progress marker covers their breaches, so they are deliverable.</summary>
    public void Enqueue(params OutboxItem[] items) => Store.Enqueue(items, Math.Max(Store.MatchedThrough(), items.Length == 0 ? 0 : items.Max(i => i.BreachId)), Clock.Now);

    public MailOptions Mail(LoopbackSmtpServer smtp) =>
        MailOptions.Parse(smtp.Url, null, "Leakwatch <alerts@leakwatch.example>", "https://leakwatch.example")!;

    public void Dispose()
    {
        Store.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
