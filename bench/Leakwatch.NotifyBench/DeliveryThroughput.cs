using System.Diagnostics;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Notify;
using Leakwatch.Notify.Delivery;
using Leakwatch.Notify.Mail;
using Leakwatch.Privacy;
using Leakwatch.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace Leakwatch.Bench.Notify;

/// <summary>
/// Whole-pipeline delivery throughput: N outbox rows in a real SQLite state store, delivered by the real delivery loop
/// and channel (MailKit to the tests' loopback SMTP server; Standard Webhooks over HTTP to a Kestrel receiver on
/// loopback that verifies every signature), timed from the loop's start to the last row recorded as delivered.
/// </summary>
internal static class DeliveryThroughput
{
    public static async Task<int> MailAsync(int count, int perDestination)
    {
        var dir = Directory.CreateTempSubdirectory("lw-bench-mail-").FullName;
        try
        {
            await using var smtp = new LoopbackSmtpServer();
            using var state = SqliteStateStore.Open(dir);
            var sealing = new NotifySealing(KeyFile.Create(Path.Combine(dir, "key")));
            var items = new List<OutboxItem>(count);
            for (var i = 0; i < count; i++)
            {
                var id = Guid.NewGuid().ToString("N");
                items.Add(new OutboxItem
                {
                    Dedupe = "bench:" + id,
                    Channel = OutboxChannel.Mail,
                    TargetId = 0,
                    BreachId = 0,
                    Event = NotifyEvents.SubscriptionVerify,
                    MessageId = id,
                    SealedPayload = new MailPayload($"subscriber{i}@bench.example", NotifyTokens.NewToken()).Seal(sealing, id),
                });
            }

            state.Enqueue(items, 0, DateTimeOffset.UtcNow);
            var mail = MailOptions.Parse(smtp.Url, "none", "Leakwatch <alerts@leakwatch.example>", "https://leakwatch.example")!;
            using var channel = new SmtpDeliveryChannel(mail, new MailComposer(mail, state, sealing), perDestination);
            var seconds = await RunAsync(state, channel, count, perDestination);
            Console.WriteLine($"mail: {count:N0} delivered in {seconds:F1} s = {count / seconds:N0}/s ({perDestination} connections); " +
                $"the server accepted {smtp.Accepted.Count:N0} in {smtp.Sessions:N0} sessions");
            return smtp.Accepted.Count >= count ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static async Task<int> WebhooksAsync(int count, int perDestination)
    {
        var dir = Directory.CreateTempSubdirectory("lw-bench-hooks-").FullName;
        try
        {
            var secret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            var verifier = new StandardWebhook(Convert.FromBase64String(secret["whsec_".Length..]));
            var received = 0;
            var bad = 0;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            await using var app = builder.Build();
            app.MapPost("/hook", async (HttpContext ctx) =>
            {
                using var reader = new StreamReader(ctx.Request.Body);
                var body = await reader.ReadToEndAsync();
                try
                {
                    verifier.Verify(body, ctx.Request.Headers);
                    Interlocked.Increment(ref received);
                    return Results.Ok();
                }
                catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
                {
                    Interlocked.Increment(ref bad);
                    return Results.BadRequest();
                }
            });
            await app.StartAsync();
            var url = app.Urls.First() + "/hook";

            using var state = SqliteStateStore.Open(dir);
            var sealing = new NotifySealing(KeyFile.Create(Path.Combine(dir, "key")));
            var (key, _) = state.CreateKey("bench", 100, DateTimeOffset.UtcNow);
            var hook = state.AddWebhook(key.Id, url, sealing.WebhookSecret.Seal(System.Text.Encoding.UTF8.GetBytes(secret), NotifySealing.WebhookSecretContext),
                WebhookEvents.BreachPublished, DateTimeOffset.UtcNow)!.Value;
            var breach = state.InsertBreach(new Breach
            {
                Name = "Bench",
                Title = "Bench",
                BreachDate = new DateOnly(2025, 1, 1),
                AddedDate = DateTimeOffset.UtcNow,
                ModifiedDate = DateTimeOffset.UtcNow,
                DataClasses = ["Email addresses"],
            });
            var items = new List<OutboxItem>(count);
            for (var i = 0; i < count; i++)
            {
                items.Add(new OutboxItem
                {
                    Dedupe = "bench:" + i,
                    Channel = OutboxChannel.Webhook,
                    TargetId = hook,
                    BreachId = breach,
                    Event = NotifyEvents.BreachPublished,
                    MessageId = "msg_" + Guid.NewGuid().ToString("N"),
                });
            }

            state.Enqueue(items, 0, DateTimeOffset.UtcNow);
            using var channel = new WebhookDeliveryChannel(state, sealing, new WebhookDeliveryOptions { AllowPrivate = true });
            var seconds = await RunAsync(state, channel, count, perDestination);
            Console.WriteLine($"webhooks: {count:N0} delivered in {seconds:F1} s = {count / seconds:N0}/s ({perDestination} at a time); " +
                $"the receiver verified {received:N0} signatures, refused {bad:N0}");
            await app.StopAsync();
            return received >= count && bad == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<double> RunAsync(StateStore state, IDeliveryChannel channel, int count, int perDestination)
    {
        using var stop = new CancellationTokenSource();
        var loop = new DeliveryLoop(state, [channel], new DeliveryLoopOptions { PerDestination = perDestination });
        var clock = Stopwatch.StartNew();
        var run = loop.RunAsync(stop.Token);
        while (state.OutboxStatus().Delivered < count)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10) || state.OutboxStatus().Dead > 0)
            {
                Console.Error.WriteLine($"stopped: {state.OutboxStatus()}");
                break;
            }

            await Task.Delay(50);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await run;
        return seconds;
    }
}
