using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Leakwatch.Server;

/// <summary>
/// With inline I/O (the default, <see cref="ServerOptions.InlineIo"/>) a request runs on the socket engine thread
/// that read it, like an nginx worker: no thread-pool hop, but while it runs, that thread's other connections
/// wait. So only endpoints that answer from memory stay there (marked <see cref="RunsOnSocketThread"/>); every
/// other endpoint, and any code about to touch a memory-mapped file, SQLite or a long computation, is handed to
/// the thread pool first. Socket engine threads are not pool threads, which is how code tells where it is.
/// </summary>
internal static class SocketThreads
{
    /// <summary>Endpoint metadata: answers from memory in bounded time, so it may run on a socket thread.</summary>
    internal sealed class Marker
    {
        public static readonly Marker Instance = new();

        private Marker()
        {
        }
    }

    /// <summary>Marks an endpoint whose handler only reads memory and never waits, so inline I/O may run it on the socket thread.</summary>
    public static TBuilder RunsOnSocketThread<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(Marker.Instance);

    /// <summary>True off the thread pool, i.e. on a socket engine thread under inline I/O.</summary>
    public static bool OnSocketThread => !Thread.CurrentThread.IsThreadPoolThread;

    /// <summary>
    /// Middleware, last before the endpoint: unless the endpoint is marked, a request on a socket thread
    /// continues on the thread pool. Requests already on the pool (inline I/O off) pass straight through.
    /// </summary>
    public static Task HandOff(HttpContext ctx, RequestDelegate next)
    {
        if (!OnSocketThread || ctx.GetEndpoint()?.Metadata.GetMetadata<Marker>() is not null)
        {
            return next(ctx);
        }

        return OnThreadPool(ctx, next);

        static async Task OnThreadPool(HttpContext ctx, RequestDelegate next)
        {
            await LeaveAsync();
            await next(ctx);
        }
    }

    /// <summary>Await before work that may block: continues on the thread pool (no-op awaiting when already there).</summary>
    public static LeaveAwaitable LeaveAsync() => default;

    /// <summary>Completes at once on the pool; elsewhere posts the continuation to the pool.</summary>
    internal readonly struct LeaveAwaitable : ICriticalNotifyCompletion
    {
        public LeaveAwaitable GetAwaiter() => this;

        public bool IsCompleted => !OnSocketThread;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

        public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
    }
}
