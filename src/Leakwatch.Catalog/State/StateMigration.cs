using Leakwatch.Core.Errors;

namespace Leakwatch.Catalog.State;

/// <summary>
/// <c>leakwatch state migrate --to URL</c>: copies a one-machine install's state (<c>catalog.db</c>) into PostgreSQL
/// in one transaction: breaches with their ids, reports and the id counter, API keys with their hashes, rpm and
/// revocations, and the notification tables (subscriptions, opt-outs, monitored identifiers, webhooks, the outbox)
/// with their ids and sealed values as they are. The target must hold nothing (unless replaced on purpose); after the commit both stores are read
/// back and compared table by table (<see cref="StateDigest"/>). The SQLite file is left as it was: the install
/// switches by passing <c>--state URL</c> from then on.
/// </summary>
public static class StateMigration
{
    public sealed record Result(StateDigest Source, StateDigest Target, bool Replaced);

    public static Result Run(string dataDir, StateLocation target, bool replace)
    {
        if (target.IsEmbedded)
        {
            throw new LeakwatchException(ErrorKind.Usage, "state migrate: --to needs a postgresql:// URL");
        }

        if (!SqliteStateStore.ExistsIn(dataDir))
        {
            throw new LeakwatchException(ErrorKind.DataDir, $"{SqliteStateStore.PathIn(dataDir)}: no catalogue to migrate");
        }

        using var source = SqliteStateStore.Open(dataDir);
        using var destination = PostgresStateStore.OpenAt(target, dataDir);
        var empty = destination.IsEmpty();
        if (!empty && !replace)
        {
            throw new LeakwatchException(ErrorKind.DataDir,
                $"state store {target.Display} already holds state; migrate into an empty database, or pass --replace to overwrite it");
        }

        var breaches = source.AllBreaches();
        var reports = source.AllReports();
        var keys = source.Keys();
        var last = source.LastBreachId();
        destination.InTransaction((db, tx) =>
        {
            if (!empty)
            {
                using var clear = db.CreateCommand();
                clear.Transaction = tx;
                clear.CommandText = "DELETE FROM breaches; DELETE FROM api_keys; DELETE FROM subscriptions; DELETE FROM opt_outs; " +
                    "DELETE FROM monitored; DELETE FROM webhooks; DELETE FROM outbox; DELETE FROM domains; DELETE FROM domain_mail_tokens;";
                clear.ExecuteNonQuery();
            }

            foreach (var b in breaches)
            {
                destination.CopyBreach(db, tx, b, reports.GetValueOrDefault(b.Id));
            }

            foreach (var k in keys)
            {
                destination.CopyKey(db, tx, k);
            }

            StateStore.SetLastBreachId(db, tx, last);
            source.CopyNotificationsTo(destination, db, tx);
            return 0;
        });

        var result = new Result(StateDigest.Of(source), StateDigest.Of(destination), !empty);
        var (sourceRows, sourceHash) = source.NotificationDigest();
        var (targetRows, targetHash) = destination.NotificationDigest();
        if (sourceRows != targetRows || !string.Equals(sourceHash, targetHash, StringComparison.Ordinal))
        {
            throw new LeakwatchException(ErrorKind.DataDir,
                $"state migrate: {target.Display} does not read back the notification rows catalog.db holds ({targetRows} vs {sourceRows}); run it again with --replace");
        }

        if (result.Source != result.Target)
        {
            throw new LeakwatchException(ErrorKind.DataDir,
                $"state migrate: {target.Display} does not read back what catalog.db holds ({Describe(result.Target)} vs {Describe(result.Source)}); run it again with --replace");
        }

        return result;
    }

    public static string Describe(StateDigest d) =>
        $"{d.Breaches} breaches, {d.Reports} reports, {d.Keys} API keys ({d.RevokedKeys} revoked), last breach id {d.LastBreachId}";
}
