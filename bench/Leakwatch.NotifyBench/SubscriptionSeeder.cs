using System.Diagnostics;
using Leakwatch.Catalog.State;
using Leakwatch.Core;
using Leakwatch.Index;
using Leakwatch.Notify;
using Leakwatch.Privacy;

namespace Leakwatch.Bench.Notify;

/// <summary>
/// Seeds COUNT verified subscriptions, IN_BREACH of them addresses from the dump's <c>email</c> column (so they match
/// when the dump is ingested) and the rest addresses no dump holds, each exactly as the subscribe endpoint stores it
/// (index key, sealed address, token hashes), through the store's own calls.
/// </summary>
internal static class SubscriptionSeeder
{
    public static int Run(string dataDir, string keyFile, string dump, int count, int inBreach)
    {
        var clock = Stopwatch.StartNew();
        var keys = KeyFile.Load(keyFile);
        var hasher = new IdentifierHasher(keys);
        var sealing = new NotifySealing(keys);
        var addresses = new List<string>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (var reader = new StreamReader(dump))
        {
            var header = reader.ReadLine()!.Split(',');
            var column = Array.IndexOf(header, "email");
            while (addresses.Count < inBreach && reader.ReadLine() is { } line)
            {
                var fields = line.Split(',');
                if (column < fields.Length && EmailNormalizer.Normalize(fields[column]) is { } email && seen.Add(email))
                {
                    addresses.Add(email);
                }
            }
        }

        for (var i = 0; addresses.Count < count; i++)
        {
            addresses.Add($"bench-subscriber-{i}@notify-bench.example");
        }

        using var state = SqliteStateStore.Open(dataDir);
        var now = DateTimeOffset.UtcNow.AddMinutes(-1);
        var key = new byte[IndexKeys.KeyBytes];
        var batch = new List<(byte[] Key, byte[] Address, byte[] Unsubscribe)>(10_000);
        foreach (var address in addresses)
        {
            IndexKeys.WriteBigEndian(hasher.HashEmail(address), key);
            batch.Add(((byte[])key.Clone(), sealing.Address.Seal(System.Text.Encoding.UTF8.GetBytes(address), NotifySealing.AddressContext),
                NotifyTokens.Hash(sealing.Tokens.UnsubscribeToken(key))));
            if (batch.Count == batch.Capacity)
            {
                state.ImportVerifiedSubscriptions(batch, now);
                batch.Clear();
            }
        }

        state.ImportVerifiedSubscriptions(batch, now);
        Console.WriteLine($"seeded {addresses.Count:N0} verified subscriptions ({Math.Min(inBreach, addresses.Count):N0} from the dump) in {clock.Elapsed.TotalSeconds:F1} s; store holds {state.SubscriptionCount():N0}");
        return 0;
    }
}
