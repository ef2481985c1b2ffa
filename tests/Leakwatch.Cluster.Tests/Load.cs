using System.Collections.Concurrent;
using System.Net;

namespace Leakwatch.Cluster.Tests;

/// <summary>Steady client load: <c>workers</c> loops each sending one request after another until stopped, counting
/// answers the test expects and, with what went wrong, every other answer or transport error.</summary>
internal sealed class Load : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly ConcurrentQueue<string> _failures = new();
    private long _ok;

    public Load(HttpClient http, int workers, Func<int, HttpRequestMessage> request, Func<HttpStatusCode, bool> expected)
    {
        _workers = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            _workers[w] = Task.Run(async () =>
            {
                for (var i = worker; !_stop.IsCancellationRequested; i += workers)
                {
                    try
                    {
                        using var req = request(i);
                        using var res = await http.SendAsync(req, _stop.Token);
                        await res.Content.ReadAsByteArrayAsync(_stop.Token);
                        if (expected(res.StatusCode))
                        {
                            Interlocked.Increment(ref _ok);
                        }
                        else
                        {
                            _failures.Enqueue($"{req.RequestUri!.AbsolutePath}: {(int)res.StatusCode}");
                        }
                    }
                    catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (HttpRequestException e)
                    {
                        _failures.Enqueue(e.Message);
                    }
                }
            });
        }
    }

    public long Ok => Interlocked.Read(ref _ok);

    public IReadOnlyCollection<string> Failures => _failures;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
