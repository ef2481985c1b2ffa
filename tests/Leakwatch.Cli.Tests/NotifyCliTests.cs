using System.Text.Json;
using Leakwatch.Catalog.State;
using Leakwatch.Core;

namespace Leakwatch.Cli.Tests;

/// <summary><c>leakwatch notify status|retry|replay</c> over a real catalog.db with outbox rows in every state.</summary>
public sealed class NotifyCliTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-30);

    private static OutboxItem Row(int n, int breach, OutboxChannel channel = OutboxChannel.Mail) => new()
    {
        Dedupe = $"row:{n}",
        Channel = channel,
        TargetId = n,
        BreachId = breach,
        Event = "breach.exposed",
        MessageId = $"m{n}",
    };

    /// <summary>Rows 1..5: 1 delivered, 2 dead (550), 3 pending after a 451, 4 pending, 5 a webhook delivered.</summary>
    private static (long[] Ids, int Breach) Seed(TempDir dir)
    {
        Directory.CreateDirectory(dir.DataDir);
        using var store = StateStore.Open(null, dir.DataDir);
        var breach = store.InsertBreach(new Breach { Name = "Tiny", Title = "Tiny", AddedDate = T0, ModifiedDate = T0 });
        store.Enqueue([Row(1, breach), Row(2, breach), Row(3, breach), Row(4, breach), Row(5, breach, OutboxChannel.Webhook)], breach, T0);
        var ids = store.ClaimDue(10, T0, TimeSpan.FromMinutes(1)).ConvertAll(r => r.Id).Order().ToArray();
        store.MarkDelivered(ids[0], T0);
        store.MarkFailed(ids[1], "SMTP 550 from mail.example:25 (RecipientNotAccepted): <address> unknown", null, T0);
        store.MarkFailed(ids[2], "SMTP 451 from mail.example:25 (MessageNotAccepted): try later", T0.AddHours(1), T0);
        store.MarkFailed(ids[3], "later", T0.AddHours(1), T0);
        store.MarkDelivered(ids[4], T0);
        return (ids, breach);
    }

    [Fact]
    public void Status_CountsByStateAndChannel_OldestPending_AndLastErrors()
    {
        using var dir = new TempDir();
        Seed(dir);

        var json = LeakwatchProcess.Run([.. dir.Dirs, "notify", "status", "--json"]);
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("pending").GetInt64());
        Assert.Equal(2, root.GetProperty("delivered").GetInt64());
        Assert.Equal(1, root.GetProperty("dead").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, root.GetProperty("oldestPending").ValueKind);
        var channels = root.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
        Assert.Equal(1, channels["mail"].GetProperty("delivered").GetInt64());
        Assert.Equal(1, channels["mail"].GetProperty("dead").GetInt64());
        Assert.Equal(2, channels["mail"].GetProperty("pending").GetInt64());
        Assert.Equal(1, channels["webhook"].GetProperty("delivered").GetInt64());
        var errors = root.GetProperty("lastErrors").EnumerateArray().Select(e => e.GetProperty("error").GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("SMTP 550", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SMTP 451", StringComparison.Ordinal));

        var text = LeakwatchProcess.Run([.. dir.Dirs, "notify", "status"]);
        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("2 pending, 2 delivered, 1 dead, 0 cancelled", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("oldest pending since", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("dead after 1 attempt(s): SMTP 550", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Retry_RequeuesDeadRows_OneOrAll_AndNamesAMissingId()
    {
        using var dir = new TempDir();
        var (ids, _) = Seed(dir);

        var missing = LeakwatchProcess.Run([.. dir.Dirs, "notify", "retry", "--id", ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(5, missing.ExitCode);
        Assert.Equal($"leakwatch: error: --id: no dead notification with id {ids[0]}", Assert.Single(missing.StderrLines));

        var one = LeakwatchProcess.Run([.. dir.Dirs, "notify", "retry", "--id", ids[1].ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, one.ExitCode);
        Assert.Equal("requeued 1 dead notification(s)", one.Stdout.Trim());
        using var store = StateStore.Open(null, dir.DataDir);
        var requeued = Assert.Single(store.Outbox(OutboxState.Pending, 10), r => r.Id == ids[1]);
        Assert.Equal(0, requeued.Attempts);
        Assert.Equal(0, store.OutboxStatus().Dead);
    }

    [Fact]
    public void Replay_RequeuesABreachsDeliveredAndDeadRows_ByName()
    {
        using var dir = new TempDir();
        Seed(dir);

        var unknown = LeakwatchProcess.Run([.. dir.Dirs, "notify", "replay", "Nope"]);
        Assert.Equal(5, unknown.ExitCode);
        Assert.Equal("leakwatch: error: breach: no breach named 'Nope'", Assert.Single(unknown.StderrLines));

        var replay = LeakwatchProcess.Run([.. dir.Dirs, "notify", "replay", "tiny"]);
        Assert.Equal(0, replay.ExitCode);
        Assert.Equal("requeued 3 notification(s) of Tiny", replay.Stdout.Trim());
        using var store = StateStore.Open(null, dir.DataDir);
        var status = store.OutboxStatus();
        Assert.Equal(5, status.Pending);
        Assert.Equal(0, status.Delivered + status.Dead);
    }
}
