using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Leakwatch.Notify.Tests.Delivery;

/// <summary>
/// <c>tests/conformance/webhook-receiver.mjs</c> as a child process: a real HTTP receiver on loopback that verifies
/// every delivery with the npm <c>standardwebhooks</c> package and prints one JSON line per request.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly Process _node;
    private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();

    private WebhookReceiver(Process node, int port)
    {
        _node = node;
        Port = port;
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<WebhookReceiver> StartAsync(string secret)
    {
        var dir = Path.Combine(ServiceScript.RepoRoot, "tests", "conformance");
        await EnsurePackagesAsync(dir);
        var start = new ProcessStartInfo("node", ["webhook-receiver.mjs", secret])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var first = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (first is null)
        {
            throw new InvalidOperationException("webhook-receiver.mjs exited: " + await node.StandardError.ReadToEndAsync());
        }

        var port = JsonDocument.Parse(first).RootElement.GetProperty("listening").GetInt32();
        var receiver = new WebhookReceiver(node, port);
        _ = Task.Run(receiver.PumpAsync);
        return receiver;
    }

    /// <summary>The receiver's dependencies are the conformance suite's (package-lock.json); installed once if missing.</summary>
    private static async Task EnsurePackagesAsync(string dir)
    {
        if (Directory.Exists(Path.Combine(dir, "node_modules", "standardwebhooks")))
        {
            return;
        }

        using var npm = Process.Start(new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--silent"])
        {
            WorkingDirectory = dir,
            UseShellExecute = false,
        })!;
        await npm.WaitForExitAsync();
        Assert.True(npm.ExitCode == 0, "npm ci in tests/conformance failed");
    }

    private async Task PumpAsync()
    {
        while (await _node.StandardOutput.ReadLineAsync() is { } line)
        {
            _lines.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
        }

        _lines.Writer.TryComplete();
    }

    /// <summary>The next request the receiver saw.</summary>
    public async Task<JsonElement> NextAsync() => await _lines.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    /// <summary>True when a request arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> AnyWithinAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            return await _lines.Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill();
            await _node.WaitForExitAsync();
        }

        _node.Dispose();
    }
}
