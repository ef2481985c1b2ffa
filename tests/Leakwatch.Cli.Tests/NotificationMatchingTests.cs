using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Notify;
using Leakwatch.Notify.Matching;
using Leakwatch.Privacy;

namespace Leakwatch.Cli.Tests;

/// <summary>Matching on publish through the real CLI: one outbox row per (verified subscription, new breach), none for
/// breaches published before the subscription, none twice however often a pass runs, a pass killed after the
/// publish made up by the next one, and a removed breach's pending rows cancelled.</summary>
public sealed class NotificationMatchingTests
{
    [Fact]
    public void Publish_QueuesOneRowPerSubscriberAndNewBreach_KilledPassIsMadeUp_RemoveCancels()
    {
        using var dir = new TempDir();
        Ingest(dir, "First", ["alice@example.com", "bob@example.com", "carol@example.com"]);

        // Alice and Bob subscribe (verified) after First; Carol subscribes but never verifies.
        var keys = KeyFile.Load(dir.KeyFile);
        var alice = Subscribe(dir, keys, "alice@example.com", verify: true);
        var bob = Subscribe(dir, keys, "bob@example.com", verify: true);
        Subscribe(dir, keys, "carol@example.com", verify: false);

        // Second holds Alice and Carol; its ingest is killed after the publish, before matching.
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", Dump(dir, "second.csv", ["alice@example.com", "carol@example.com", "dave@example.com"]), "--breach", "Second"],
            environment: new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "matching" });
        Assert.True(killed.ExitCode == 128 + 9, killed.Stderr);
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            // The merge wrote Alice's row ahead; it waits for the pass after the publish, which never came.
            Assert.Empty(state.Outbox(OutboxState.Pending, 100));
            Assert.Equal(1, state.HeldAhead());
        }

        // Third holds Bob; its pass matches Second too (the killed one), and nobody is told about First.
        var third = Ingest(dir, "Third", ["bob@example.com", "erin@example.com"]);
        Assert.Contains("\"queued\":2", third, StringComparison.Ordinal);
        int secondId, thirdId;
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            var breaches = state.AllBreaches();
            secondId = breaches.Find(b => b.Name == "Second")!.Id;
            thirdId = breaches.Find(b => b.Name == "Third")!.Id;
            var rows = state.Outbox(OutboxState.Pending, 100);
            Assert.Equal(2, rows.Count);
            Assert.Contains(rows, r => r.TargetId == alice && r.BreachId == secondId && r.Event == NotifyEvents.BreachExposed && r.Channel == OutboxChannel.Mail);
            Assert.Contains(rows, r => r.TargetId == bob && r.BreachId == thirdId);
            Assert.Equal(thirdId, state.MatchedThrough());

            // A pass run again (another replica, a restart) adds nothing.
            var again = new NotificationMatcher(new ExposureIndexStore(dir.DataDir), state, new NotifySealing(keys)).CatchUp(DateTimeOffset.UtcNow);
            Assert.Equal(0, again.Queued);
        }

        // Removing Third before delivery cancels its pending row; Second's stays.
        var remove = LeakwatchProcess.Run([.. dir.Dirs, "remove", "Third"]);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            var pending = Assert.Single(state.Outbox(OutboxState.Pending, 100));
            Assert.Equal(secondId, pending.BreachId);
            var cancelled = Assert.Single(state.Outbox(OutboxState.Cancelled, 100));
            Assert.Equal(thirdId, cancelled.BreachId);
        }
    }

    [Fact]
    public void KilledAfterTheMergeWroteRowsAhead_NothingIsDelivered_AndTheNextIngestSweepsThem()
    {
        using var dir = new TempDir();
        Ingest(dir, "First", ["nobody@example.com"]);
        var alice = Subscribe(dir, KeyFile.Load(dir.KeyFile), "alice@example.com", verify: true);

        // The merge found Alice and wrote her row; the ingest dies before its publish.
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", Dump(dir, "second.csv", ["alice@example.com", "zed@example.com"]), "--breach", "Second"],
            environment: new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "merged" });
        Assert.True(killed.ExitCode == 128 + 9, killed.Stderr);
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            Assert.Equal(1, state.HeldAhead());
            Assert.Empty(state.ClaimDue(10, DateTimeOffset.UtcNow.AddDays(1), TimeSpan.FromMinutes(1)));
            Assert.Equal(0, state.OutboxStatus().Pending);
        }

        // The same dump again: the dead run's row is swept with its breach, and Alice is told once, about the new one.
        var again = Ingest(dir, "Second", ["alice@example.com", "zed@example.com"]);
        Assert.Contains("\"queued\":1", again, StringComparison.Ordinal);
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            var second = state.AllBreaches().Find(b => b.Name == "Second")!.Id;
            Assert.Equal(0, state.HeldAhead());
            var row = Assert.Single(state.ClaimDue(10, DateTimeOffset.UtcNow.AddMinutes(1), TimeSpan.FromMinutes(1)));
            Assert.Equal((alice, second), (row.TargetId, row.BreachId));
        }
    }

    [Fact]
    public void KilledAfterThePublish_TheRowsWrittenAheadWait_ThenARemoveCancelsThem()
    {
        using var dir = new TempDir();
        Ingest(dir, "First", ["nobody@example.com"]);
        Subscribe(dir, KeyFile.Load(dir.KeyFile), "alice@example.com", verify: true);
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", Dump(dir, "second.csv", ["alice@example.com"]), "--breach", "Second"],
            environment: new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "matching" });
        Assert.True(killed.ExitCode == 128 + 9, killed.Stderr);
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            Assert.Equal(1, state.HeldAhead());
            Assert.Empty(state.ClaimDue(10, DateTimeOffset.UtcNow.AddDays(1), TimeSpan.FromMinutes(1)));
        }

        // Second is published: a remove sweeps nothing of it, it cancels its row, which is never delivered.
        var remove = LeakwatchProcess.Run([.. dir.Dirs, "remove", "Second"]);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            Assert.Equal(0, state.HeldAhead());
            Assert.Empty(state.ClaimDue(10, DateTimeOffset.UtcNow.AddDays(1), TimeSpan.FromMinutes(1)));
        }
    }

    [Fact]
    public async Task KilledPass_IsMadeUpByARunningServe_WithinSeconds()
    {
        using var dir = new TempDir();
        Ingest(dir, "First", ["alice@example.com"]);
        var alice = Subscribe(dir, KeyFile.Load(dir.KeyFile), "alice@example.com", verify: true);
        var port = ServiceScript.FreePort();
        using var serve = System.Diagnostics.Process.Start(LeakwatchProcess.StartInfo([.. dir.Dirs, "serve", "--urls", $"http://127.0.0.1:{port}"]))!;
        serve.StandardInput.Close();

        // The log is read as it comes: the rows are committed a moment before the line saying so is written, and a
        // serve killed in between would lose the line.
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        serve.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        serve.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        serve.BeginOutputReadLine();
        serve.BeginErrorReadLine();
        bool Logged() => output.Any(l => l.Contains("notifications queued", StringComparison.Ordinal));
        List<OutboxItem> rows = [];
        try
        {
            var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", Dump(dir, "second.csv", ["alice@example.com", "zed@example.com"]), "--breach", "Second"],
                environment: new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "matching" });
            Assert.True(killed.ExitCode == 128 + 9, killed.Stderr);

            // The service checks every 2 s; the deadline leaves room for a loaded CI machine.
            var deadline = DateTime.UtcNow.AddSeconds(45);
            while ((rows.Count == 0 || !Logged()) && DateTime.UtcNow < deadline && !serve.HasExited)
            {
                await Task.Delay(200);
                using var state = SqliteStateStore.Open(dir.DataDir);
                rows = state.Outbox(OutboxState.Pending, 10);
            }
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
        }

        var log = string.Join('\n', output);
        Assert.True(rows.Count == 1, $"{rows.Count} pending rows; serve said:\n{log}");
        Assert.Equal(alice, rows[0].TargetId);
        Assert.True(Logged(), log);
    }

    [Fact]
    public void MonitoredIdentifiers_QueueOneWebhookRowPerKeyAndBreach_WithHintsOnly_AndOptedOutOnesLeftOut()
    {
        using var dir = new TempDir();
        Ingest(dir, "First", ["nobody@example.com"]);
        var keys = KeyFile.Load(dir.KeyFile);
        var hasher = new IdentifierHasher(keys);
        var sealing = new NotifySealing(keys);
        static byte[] Key(UInt128 k)
        {
            var bytes = new byte[IndexKeys.KeyBytes];
            IndexKeys.WriteBigEndian(k, bytes);
            return bytes;
        }

        long exposedHook, publishedHook, otherKeysHook;
        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            var (org, _) = state.CreateKey("org", 100, DateTimeOffset.UtcNow);
            var (other, _) = state.CreateKey("other", 100, DateTimeOffset.UtcNow);
            state.AddMonitored(org.Id, [
                (Key(hasher.HashEmail("alice@example.com")), 1, ""),
                (Key(hasher.HashEmail("hidden@example.com")), 1, ""),
                (Key(hasher.HashPhone(14155550142)), 2, "42"),
                (Key(hasher.HashEmail("absent@example.com")), 1, ""),
            ], DateTimeOffset.UtcNow);
            state.AddMonitored(other.Id, [(Key(hasher.HashEmail("absent@example.com")), 1, "")], DateTimeOffset.UtcNow);
            var secret = sealing.WebhookSecret.Seal("whsec_dGVzdA=="u8, NotifySealing.WebhookSecretContext);
            exposedHook = state.AddWebhook(org.Id, "https://hooks.example.com/a", secret, WebhookEvents.BreachExposed, DateTimeOffset.UtcNow)!.Value;
            publishedHook = state.AddWebhook(org.Id, "https://hooks.example.com/b", secret, WebhookEvents.BreachPublished, DateTimeOffset.UtcNow)!.Value;
            otherKeysHook = state.AddWebhook(other.Id, "https://hooks.example.com/c", secret, WebhookEvents.BreachExposed, DateTimeOffset.UtcNow)!.Value;
            state.AddOptOut(Key(hasher.HashEmail("hidden@example.com")), DateTimeOffset.UtcNow);
        }

        var path = dir.File("second.csv");
        File.WriteAllLines(path, ["email,phone", "alice@example.com,+1 415 555 0142", "hidden@example.com,", "zed@example.com,"]);
        var run = LeakwatchProcess.Run([.. dir.Dirs, "ingest", path, "--breach", "Second", "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("\"inMerge\":true", run.Stdout, StringComparison.Ordinal); // matched inside the merge, no pass of its own

        using (var state = SqliteStateStore.Open(dir.DataDir))
        {
            var rows = state.Outbox(OutboxState.Pending, 100);
            Assert.Equal(2, rows.Count); // nothing for the other key: its identifier is in no new breach
            var exposed = Assert.Single(rows, r => r.Event == NotifyEvents.BreachExposed);
            Assert.Equal(exposedHook, exposed.TargetId);
            Assert.Equal(OutboxChannel.Webhook, exposed.Channel);
            var payload = MatchPayload.Open(sealing, exposed.SealedPayload!, exposed.MessageId);
            Assert.Equal(["email", "phone ending 42"], payload.Identifiers.Order(StringComparer.Ordinal));
            Assert.Equal(publishedHook, Assert.Single(rows, r => r.Event == NotifyEvents.BreachPublished).TargetId);
            Assert.DoesNotContain(rows, r => r.TargetId == otherKeysHook);
        }
    }

    /// <summary>The merge reads the watchers as it starts; whoever verifies or starts monitoring later, before the
    /// publish, is looked up at the publish instead, and a watcher found both ways is told once.</summary>
    [Fact]
    public void AfterAMergeTap_WatchersAddedSinceItsRead_AreLookedUp_AndNoneIsCountedTwice()
    {
        using var dir = new TempDir();
        Ingest(dir, "First", ["nobody@example.com"]);
        var keys = KeyFile.Load(dir.KeyFile);
        var alice = Subscribe(dir, keys, "alice@example.com", verify: true);
        var bob = Subscribe(dir, keys, "bob@example.com", verify: true);
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", Dump(dir, "second.csv", ["alice@example.com", "bob@example.com", "zed@example.com"]), "--breach", "Second"],
            environment: new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "matching" });
        Assert.True(killed.ExitCode == 128 + 9, killed.Stderr);

        using var state = SqliteStateStore.Open(dir.DataDir);
        var second = state.AllBreaches().Find(b => b.Name == "Second")!.Id;
        var matcher = new NotificationMatcher(new ExposureIndexStore(dir.DataDir), state, new NotifySealing(keys));
        // A tap that read the watchers before Alice and Bob verified saw nobody: both are found by lookup.
        var early = new PreparedMatch(new WatcherSnapshot([], DateTimeOffset.UtcNow.AddMinutes(-10)), [], 0);
        var report = matcher.CatchUp(DateTimeOffset.UtcNow, early, second);
        Assert.True(report.InMerge);
        Assert.Equal(2, report.Queued);
        Assert.Equal(2, report.Hits);
        var rows = state.Outbox(OutboxState.Pending, 100);
        Assert.Equal([alice, bob], rows.ConvertAll(r => r.TargetId).Order());
        Assert.All(rows, r => Assert.Equal(second, r.BreachId));
    }

    [Fact]
    public void AfterAMergeTap_AHitFoundByTheTapAndByTheLookup_IsCountedOnce()
    {
        using var dir = new TempDir();
        Ingest(dir, "First", ["nobody@example.com"]);
        var keys = KeyFile.Load(dir.KeyFile);
        var alice = Subscribe(dir, keys, "alice@example.com", verify: true);
        var killed = LeakwatchProcess.Run([.. dir.Dirs, "ingest", Dump(dir, "second.csv", ["alice@example.com", "zed@example.com"]), "--breach", "Second"],
            environment: new Dictionary<string, string> { ["LEAKWATCH_TEST_KILL_AT"] = "matching" });
        Assert.True(killed.ExitCode == 128 + 9, killed.Stderr);

        using var state = SqliteStateStore.Open(dir.DataDir);
        var second = state.AllBreaches().Find(b => b.Name == "Second")!.Id;
        var matcher = new NotificationMatcher(new ExposureIndexStore(dir.DataDir), state, new NotifySealing(keys));
        // Read as Second was published (within the margin of Alice's verification): the tap saw her, and so does the lookup.
        var snapshot = NotificationMatcher.TakeSnapshot(state, new ExposureIndexStore(dir.DataDir).ReadManifest().Published);
        Assert.Single(snapshot.Watchers);
        var report = matcher.CatchUp(DateTimeOffset.UtcNow, new PreparedMatch(snapshot, [0], 0), second);
        Assert.Equal(1, report.Hits);
        Assert.Equal(1, report.Queued);
        Assert.Equal(alice, Assert.Single(state.Outbox(OutboxState.Pending, 100)).TargetId);
    }

    private static string Ingest(TempDir dir, string breach, string[] emails)
    {
        var run = LeakwatchProcess.Run([.. dir.Dirs, "ingest", Dump(dir, breach + ".csv", emails), "--breach", breach, "--json"]);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return run.StdoutLines[^1];
    }

    private static string Dump(TempDir dir, string name, string[] emails)
    {
        var path = dir.File(name);
        File.WriteAllLines(path, ["email,name", .. emails.Select((e, i) => $"{e},Person {i}")]);
        return path;
    }

    private static long Subscribe(TempDir dir, KeyFile keys, string email, bool verify)
    {
        var key = new byte[IndexKeys.KeyBytes];
        IndexKeys.WriteBigEndian(new IdentifierHasher(keys).HashEmail(EmailNormalizer.Normalize(email)!), key);
        var sealing = new NotifySealing(keys);
        var token = NotifyTokens.NewToken();
        using var state = SqliteStateStore.Open(dir.DataDir);
        var outcome = state.Subscribe(key, sealing.Address.Seal(System.Text.Encoding.UTF8.GetBytes(email), NotifySealing.AddressContext),
            NotifyTokens.Hash(token), NotifyTokens.Hash(sealing.Tokens.UnsubscribeToken(key)), DateTimeOffset.UtcNow, TimeSpan.FromHours(24), TimeSpan.FromHours(1));
        Assert.Equal(SubscribeOutcome.SendVerification, outcome);
        if (!verify)
        {
            return 0;
        }

        var sub = state.VerifySubscription(NotifyTokens.Hash(token), DateTimeOffset.UtcNow);
        Assert.NotNull(sub);
        return sub.Id;
    }
}
