using Leakwatch.Catalog.State;
using Leakwatch.Notify.Mail;

namespace Leakwatch.Server.Tests;

/// <summary>A tiny ingested breach (for the key file), three API keys made before the server starts, a real DNS
/// server (dnsmasq) and a real SMTP server on loopback, and a server over them with a clock the tests move.</summary>
public sealed class DomainFixture : IAsyncLifetime
{
    public TempDir Dir { get; } = new();

    public ManualTimeProvider Clock { get; } = new();

    internal DnsmasqServer Dns { get; private set; } = null!;

    internal LoopbackSmtpServer Smtp { get; private set; } = null!;

    public RunningServer Server { get; private set; } = null!;

    /// <summary>The keys' plain texts and ids: alpha, beta, gamma.</summary>
    public Dictionary<string, (string Secret, int Id)> Keys { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        var dump = Dir.File("tiny.csv");
        await File.WriteAllTextAsync(dump, "email\nsomeone@example.com\n");
        Dir.Ingest(dump, "Tiny");
        using (var store = SqliteStateStore.Open(Dir.DataDir))
        {
            foreach (var name in new[] { "alpha", "beta", "gamma" })
            {
                var (key, secret) = store.CreateKey(name, 1_000_000, DateTimeOffset.UtcNow);
                Keys[name] = (secret, key.Id);
            }
        }

        Dns = new DnsmasqServer();
        Smtp = new LoopbackSmtpServer();
        Server = await RunningServer.StartAsync(new ServerOptions
        {
            DataDir = Dir.DataDir,
            KeyFilePath = Dir.KeyFile,
            ConsoleLogging = false,
            NotifyRpm = 100_000,
            TimeProvider = Clock,
            DnsServer = Dns.IPEndPoint,
            Mail = MailOptions.Parse(Smtp.Url, null, "Leakwatch <alerts@leakwatch.example>", "https://leakwatch.example"),
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Smtp.DisposeAsync();
        Dns.Dispose();
        Dir.Dispose();
    }
}
