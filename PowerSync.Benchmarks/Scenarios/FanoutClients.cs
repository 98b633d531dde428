using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>
/// The client side of the <c>fanout</c> scenario, run as a child process (<c>fanout-clients &lt;url&gt;
/// &lt;token&gt; &lt;n&gt;</c>) so that client and server sockets do not share one process's file limit.
/// Opens n streams; prints <c>READY n</c> once every stream has its first <c>checkpoint_complete</c>;
/// records when each stream receives a row whose id is <c>change-k</c>; on <c>REPORT k n</c> (stdin)
/// waits until n streams have it and prints <c>GOT k count t1 t2 ...</c> (Stopwatch timestamps).
/// </summary>
public static class FanoutClients
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (url, token, count) = (new Uri(args[0]), args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan };
        var received = new ConcurrentDictionary<string, ConcurrentQueue<long>>();
        var ready = 0;
        using var allReady = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        using var connectGate = new SemaphoreSlim(200);

        var streams = Enumerable.Range(0, count).Select(async _ =>
        {
            await connectGate.WaitAsync(stop.Token);
            var released = false;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent("""{"raw_data":true}""", Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Token", token);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
                var first = true;
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    if (first && line.StartsWith("{\"checkpoint_complete\"", StringComparison.Ordinal))
                    {
                        first = false;
                        connectGate.Release();
                        released = true;
                        if (Interlocked.Increment(ref ready) == count) allReady.Release();
                        continue;
                    }
                    var at = line.IndexOf("\"object_id\":\"change-", StringComparison.Ordinal);
                    if (at < 0) continue;
                    var now = Stopwatch.GetTimestamp();
                    var start = at + "\"object_id\":\"change-".Length;
                    var marker = line[start..line.IndexOf('"', start)];
                    received.GetOrAdd(marker, _ => new ConcurrentQueue<long>()).Enqueue(now);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            finally
            {
                if (!released) connectGate.Release();
            }
        }).ToList();

        await allReady.WaitAsync(TimeSpan.FromMinutes(5));
        Console.WriteLine($"READY {Volatile.Read(ref ready)}");
        while (Console.ReadLine() is { } command)
        {
            var parts = command.Split(' ');
            if (parts[0] != "REPORT") break;
            var (marker, expected) = (parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
            var deadline = Stopwatch.StartNew();
            var queue = received.GetOrAdd(marker, _ => new ConcurrentQueue<long>());
            while (queue.Count < expected && deadline.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(1);
            Console.WriteLine($"GOT {marker} {queue.Count} {string.Join(' ', queue)}");
        }
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        return 0;
    }
}
