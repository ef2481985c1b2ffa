using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Leakwatch.Server.Tests;

/// <summary>
/// Inline I/O: which requests may stay on a socket thread (a thread that is not the pool's) and which are handed
/// to the thread pool before their endpoint runs.
/// </summary>
[Collection(ServerCollection.Name)]
public class SocketThreadsTests(ServerFixture fx)
{
    private sealed record Seen(bool OnPool, int ThreadId);

    /// <summary>Runs HandOff on a dedicated (non-pool) thread, as a socket engine thread would, and reports where the endpoint ran.</summary>
    private static async Task<(Seen Caller, Seen Endpoint, bool CompletedInline)> RunOnDedicatedThread(bool marked)
    {
        var ctx = new DefaultHttpContext();
        var metadata = marked ? new EndpointMetadataCollection(SocketThreads.Marker.Instance) : new EndpointMetadataCollection();
        ctx.SetEndpoint(new Endpoint(_ => Task.CompletedTask, metadata, "test"));
        var endpoint = new TaskCompletionSource<Seen>(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = new TaskCompletionSource<(Seen, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A handed-off endpoint waits until the caller has looked at its task: on a loaded machine the pool could
        // otherwise finish it before HandOff returns, and "completed inline" would be read as true by chance.
        using var callerLooked = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            var caller = new Seen(Thread.CurrentThread.IsThreadPoolThread, Environment.CurrentManagedThreadId);
            var task = SocketThreads.HandOff(ctx, _ =>
            {
                var seen = new Seen(Thread.CurrentThread.IsThreadPoolThread, Environment.CurrentManagedThreadId);
                if (seen.ThreadId != caller.ThreadId)
                {
                    callerLooked.Wait(TimeSpan.FromSeconds(10));
                }

                endpoint.SetResult(seen);
                return Task.CompletedTask;
            });
            result.SetResult((caller, task.IsCompleted));
            callerLooked.Set();
        });
        thread.Start();
        var (callerSeen, completedInline) = await result.Task;
        return (callerSeen, await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(10)), completedInline);
    }

    [Fact]
    public async Task HandOff_UnmarkedEndpointOnASocketThread_RunsOnTheThreadPool()
    {
        var (caller, endpoint, completedInline) = await RunOnDedicatedThread(marked: false);
        Assert.False(caller.OnPool);
        Assert.True(endpoint.OnPool);
        Assert.NotEqual(caller.ThreadId, endpoint.ThreadId);
        Assert.False(completedInline);
    }

    [Fact]
    public async Task HandOff_MarkedEndpointOnASocketThread_RunsThereWithoutAHop()
    {
        var (caller, endpoint, completedInline) = await RunOnDedicatedThread(marked: true);
        Assert.False(endpoint.OnPool);
        Assert.Equal(caller.ThreadId, endpoint.ThreadId);
        Assert.True(completedInline);
    }

    [Fact]
    public async Task HandOff_OnThePool_PassesStraightThrough()
    {
        // Inline I/O off: requests already run on pool threads and nothing is re-queued.
        var seen = await Task.Run(() =>
        {
            var ctx = new DefaultHttpContext();
            ctx.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "test"));
            var id = Environment.CurrentManagedThreadId;
            var ranOn = -1;
            var task = SocketThreads.HandOff(ctx, _ =>
            {
                ranOn = Environment.CurrentManagedThreadId;
                return Task.CompletedTask;
            });
            return (id, ranOn, task.IsCompleted);
        });
        Assert.Equal(seen.id, seen.ranOn);
        Assert.True(seen.IsCompleted);
    }

    [Fact]
    public async Task LeaveAsync_FromASocketThread_ContinuesOnThePool()
    {
        var where = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            _ = Continue();

            async Task Continue()
            {
                await SocketThreads.LeaveAsync();
                where.SetResult(Thread.CurrentThread.IsThreadPoolThread);
            }
        });
        thread.Start();
        Assert.True(await where.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Endpoints_OnlyThoseAnsweringFromMemory_MayRunOnASocketThread()
    {
        var sources = fx.Server.App.Services.GetRequiredService<EndpointDataSource>();
        var marked = new SortedSet<string>(StringComparer.Ordinal);
        var unmarked = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in sources.Endpoints.OfType<RouteEndpoint>())
        {
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
            var name = string.Join(",", methods) + " " + e.RoutePattern.RawText;
            (e.Metadata.GetMetadata<SocketThreads.Marker>() is null ? unmarked : marked).Add(name);
        }

        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal)
            {
                "GET /api/v3/breaches", "GET /api/v3/breach/{name}", "GET /api/v3/latestbreach", "GET /api/v3/dataclasses",
                "GET /api/v3/subscription/status", "GET /range/{prefix}", "OPTIONS /range/{prefix}", "GET /healthz",
                "GET,HEAD /", "GET,HEAD /assets/{*path}", "GET /api/advice", "GET /api/private/config",
            },
            marked);
        // Account search reads the memory-mapped index, reports open SQLite, evaluation computes and maps buckets.
        Assert.Contains("GET /api/v3/breachedaccount/{account}", unmarked);
        Assert.Contains("GET /breaches/{name}/report", unmarked);
        Assert.Contains("POST /api/private/evaluate", unmarked);
        Assert.Contains("GET,HEAD /breaches", unmarked);
    }
}
