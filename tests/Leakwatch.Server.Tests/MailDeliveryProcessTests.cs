using System.Diagnostics;
using System.Text;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Notify;
using Leakwatch.Privacy;

namespace Leakwatch.Server.Tests;

/// <summary><c>leakwatch serve --smtp</c> delivers the outbox to a real SMTP server on loopback, and a server killed
/// with SIGKILL mid-delivery loses nothing: after a restart every mail arrives at least once, and a mail that
/// arrives twice carries the same <c>Message-ID</c> both times.</summary>
public sealed class MailDeliveryProcessTests
{
    private const int Subscribers = 16;

    [Fact]
    public async Task ServeKilledMidDelivery_DeliversEveryMailAfterARestart_DuplicatesUnderTheSameMessageId()
    {
        using var dir = new TempDir();
        var dump = dir.File("tiny.csv");
        File.WriteAllText(dump, "email\nsomeone@example.com\n");
        dir.Ingest(dump, "Tiny");
        var addresses = Enumerable.Range(0, Subscribers).Select(i => $"reader{i}@example.com").ToList();
        EnqueueBreachMails(dir, addresses);

        await using var smtp = new LoopbackSmtpServer { AnswerDelay = TimeSpan.FromMilliseconds(400) };
        string[] serve = [.. dir.Dirs, "serve", "--urls", "http://127.0.0.1:0", "--smtp", smtp.Url, "--mail-from", "alerts@leakwatch.example",
            "--public-url", "https://leakwatch.example", "--delivery-lease", "2s"];

        using (var first = Process.Start(LeakwatchProcess.StartInfo(serve))!)
        {
            try
            {
                // Kill once some mails are through and others are on the wire: received, their 250 not yet sent.
                await WaitFor(() => smtp.Received.Count >= 2 && smtp.AnswersPending > 0, first, TimeSpan.FromSeconds(60));
                first.Kill(entireProcessTree: true);
                LeakwatchProcess.WaitForExitOrKill(first, TimeSpan.FromSeconds(30));
            }
            finally
            {
                if (!first.HasExited)
                {
                    first.Kill(entireProcessTree: true);
                }
            }
        }

        Assert.True(smtp.Received.Count < Subscribers, "the first server finished before it was killed; nothing was tested");
        smtp.AnswerDelay = TimeSpan.Zero;
        using (var second = Process.Start(LeakwatchProcess.StartInfo(serve))!)
        {
            try
            {
                await WaitFor(() => Delivered(dir) == Subscribers, second, TimeSpan.FromSeconds(60));
            }
            finally
            {
                second.Kill(entireProcessTree: true);
                LeakwatchProcess.WaitForExitOrKill(second, TimeSpan.FromSeconds(30));
            }
        }

        var byRecipient = smtp.Received.Where(m => m.Accepted).GroupBy(m => Assert.Single(m.To)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(addresses.Order(StringComparer.Ordinal), byRecipient.Keys.Order(StringComparer.Ordinal));
        // The mails on the wire at the kill reached the relay, but their sender never saw the 250: they went again.
        Assert.True(byRecipient.Values.Any(m => m.Count > 1), $"no mail was in flight at the kill ({smtp.Received.Count} received)");
        foreach (var (to, mails) in byRecipient)
        {
            // One notification, one Message-ID, however often it went out.
            Assert.Single(mails.Select(m => m.Message.MessageId).Distinct(StringComparer.Ordinal));
            Assert.All(mails, m => Assert.Equal(to, Assert.Single(m.Message.To.Mailboxes).Address));
        }
    }

    private static long Delivered(TempDir dir)
    {
        using var store = StateStore.Open(null, dir.DataDir);
        return store.OutboxStatus().Delivered;
    }

    /// <summary>Subscribes and verifies each address, as the subscription endpoints would, and enqueues one
    /// <c>breach.exposed</c> mail each for the ingested breach, as matching would.</summary>
    private static void EnqueueBreachMails(TempDir dir, IReadOnlyList<string> addresses)
    {
        var keys = KeyFile.Load(dir.KeyFile);
        var sealing = new NotifySealing(keys);
        var hasher = new IdentifierHasher(keys);
        var now = DateTimeOffset.UtcNow;
        using var store = StateStore.Open(null, dir.DataDir);
        var breach = Assert.Single(store.AllBreaches());
        var items = new List<OutboxItem>();
        foreach (var address in addresses)
        {
            var key = new byte[10];
            IndexKeys.WriteBigEndian(hasher.HashEmail(EmailNormalizer.Normalize(address)!), key);
            var token = NotifyTokens.NewToken();
            store.Subscribe(key, sealing.Address.Seal(Encoding.UTF8.GetBytes(address), NotifySealing.AddressContext), NotifyTokens.Hash(token),
                NotifyTokens.Hash(sealing.Tokens.UnsubscribeToken(key)), now, TimeSpan.FromHours(24), TimeSpan.FromHours(1));
            var subscription = store.VerifySubscription(NotifyTokens.Hash(token), now)!;
            items.Add(new OutboxItem
            {
                Dedupe = $"mail:{subscription.Id}:breach:{breach.Id}",
                Channel = OutboxChannel.Mail,
                TargetId = subscription.Id,
                BreachId = breach.Id,
                Event = NotifyEvents.BreachExposed,
                MessageId = Guid.NewGuid().ToString("N"),
            });
        }

        store.Enqueue(items, Math.Max(store.MatchedThrough(), breach.Id), now);
    }

    private static async Task WaitFor(Func<bool> condition, Process server, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (server.HasExited)
            {
                Assert.Fail($"serve exited ({server.ExitCode}): {await server.StandardError.ReadToEndAsync()}");
            }

            Assert.True(clock.Elapsed < timeout, $"not reached within {timeout.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}
