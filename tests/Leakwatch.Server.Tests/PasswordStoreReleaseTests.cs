using System.Security.Cryptography;
using System.Text;
using Leakwatch.Passwords;
using Microsoft.Extensions.Logging.Abstractions;

namespace Leakwatch.Server.Tests;

/// <summary>The password store holder releases what it replaced: after several publishes, only the current
/// generation's range files stay mapped in this process (each publish used to leave the old mapping until restart).</summary>
public class PasswordStoreReleaseTests
{
    /// <summary>Replaced files deleted at once, so that the files left are the current generation's (unmapping is the
    /// point here; retention is tested in Leakwatch.Passwords.Tests).</summary>
    private static readonly PasswordIngestOptions NoRetention = new() { Retention = Leakwatch.Storage.Retention.GenerationRetention.None };

    private static string[] RangeFiles(string dataDir) =>
        Directory.GetFiles(Path.Combine(dataDir, "passwords"), "*.lwp");

    private static bool Mapped(string file) =>
        File.ReadAllLines("/proc/self/maps").Any(l => l.Contains(file, StringComparison.Ordinal));

    [Fact]
    public async Task SeveralPublishes_OldGenerationsUnmappedAfterTheGrace()
    {
        if (!File.Exists("/proc/self/maps"))
        {
            return;
        }

        using var dir = new TempDir();
        var list = dir.File("passwords.txt");
        File.WriteAllLines(list, ["password", "hunter2"]);
        PasswordIngest.Run(dir.DataDir, [list], PasswordInputMode.Plain, NoRetention);

        var hash = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes("password")));
        var options = new ServerOptions
        {
            DataDir = dir.DataDir,
            ReloadCheckInterval = TimeSpan.FromMilliseconds(50),
            RetireGrace = TimeSpan.FromMilliseconds(50),
            ConsoleLogging = false,
        };
        var seen = new HashSet<string>(RangeFiles(dir.DataDir));
        using (var holder = new PasswordStoreHolder(options, NullLogger<PasswordStoreHolder>.Instance))
        {
            Assert.All(seen, f => Assert.True(Mapped(f), f));
            for (var generation = 2; generation <= 5; generation++)
            {
                PasswordIngest.Run(dir.DataDir, [list], PasswordInputMode.Plain, NoRetention);
                seen.UnionWith(RangeFiles(dir.DataDir));
                var expected = $"{hash[5..]}:{generation}";
                Assert.True(await Eventually(() => Body(holder, hash).Contains(expected, StringComparison.Ordinal)), expected);
            }

            var current = RangeFiles(dir.DataDir);
            Assert.Equal(2, current.Length); // SHA-1 and NTLM
            var old = seen.Except(current).ToList();
            Assert.Equal(8, old.Count);
            Assert.True(await Eventually(() => old.All(f => !Mapped(f))), "an old generation is still mapped");
            Assert.All(current, f => Assert.True(Mapped(f), f));
        }

        Assert.All(seen, f => Assert.False(Mapped(f), f));
    }

    private static string Body(PasswordStoreHolder holder, string hash)
        => Encoding.UTF8.GetString(holder.Get(PasswordHashMode.Sha1, hash.AsSpan(0, 5)).Body);

    private static async Task<bool> Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(25);
        }

        return true;
    }
}
