using System.Security.Cryptography;
using System.Text;
using Leakwatch.Core;

namespace Leakwatch.Catalog.State;

/// <summary>
/// What a state store holds, counted and hashed table by table in an engine-neutral form (breaches as
/// <c>breaches.json</c> encodes them, reports and keys by id), so two stores on different engines can be compared
/// after <see cref="StateMigration"/>. Hashes cover content, never identifiers: the state holds none.
/// </summary>
public sealed record StateDigest(int Breaches, string BreachesSha256, int Reports, string ReportsSha256, int Keys, int RevokedKeys,
    string KeysSha256, int LastBreachId)
{
    public static StateDigest Of(StateStore store)
    {
        var breaches = store.AllBreaches();
        var reports = store.AllReports();
        var keys = store.Keys();
        var reportText = new StringBuilder();
        foreach (var (id, json) in reports.OrderBy(p => p.Key))
        {
            reportText.Append(id).Append('\n').Append(json).Append('\n');
        }

        var keyText = new StringBuilder();
        var revoked = 0;
        foreach (var k in keys)
        {
            revoked += k.IsRevoked ? 1 : 0;
            keyText.Append(k.Id).Append(' ').Append(k.Name).Append(' ').Append(Convert.ToHexStringLower(k.Hash)).Append(' ').Append(k.Rpm)
                .Append(' ').Append(k.Created.UtcTicks).Append(' ').Append(k.Revoked?.UtcTicks).Append('\n');
        }

        return new StateDigest(breaches.Count, Sha256(PublishedBreachSnapshot.Encode(0, Normalized(breaches))), reports.Count,
            Sha256(Encoding.UTF8.GetBytes(reportText.ToString())), keys.Count, revoked, Sha256(Encoding.UTF8.GetBytes(keyText.ToString())),
            store.LastBreachId());
    }

    private static List<Breach> Normalized(List<Breach> breaches) =>
        breaches.ConvertAll(b => b with { AddedDate = StateStore.Microseconds(b.AddedDate), ModifiedDate = StateStore.Microseconds(b.ModifiedDate) });

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
