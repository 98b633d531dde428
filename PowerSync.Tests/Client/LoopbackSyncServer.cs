using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PowerSync.Tests.Client;

/// <summary>
/// A real HTTP server on 127.0.0.1 that speaks the sync protocol's transport: each
/// <c>POST /sync/stream</c> becomes a <see cref="ScriptedStream"/> the test feeds NDJSON lines into;
/// <c>GET /write-checkpoint2.json</c> returns <see cref="WriteCheckpoint"/>; <c>POST /sync/checkpoint-request</c>
/// answers like the service (the larger of the posted and the stored id) when <see cref="ServeCheckpointRequests"/>, else 404.
/// </summary>
internal sealed class LoopbackSyncServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<ScriptedStream> _streams = Channel.CreateUnbounded<ScriptedStream>();
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private long _writeCheckpoint;
    private int _failNextStreams;
    private long _storedCheckpointRequestId;
    private readonly Channel<(string ClientId, long Id)> _checkpointRequests = Channel.CreateUnbounded<(string, long)>();

    public LoopbackSyncServer()
    {
        Endpoint = Infrastructure.LoopbackPorts.StartHttpListener(_listener);
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Endpoint { get; }

    public long WriteCheckpoint
    {
        get => Interlocked.Read(ref _writeCheckpoint);
        set => Interlocked.Exchange(ref _writeCheckpoint, value);
    }

    public ConcurrentQueue<string> WriteCheckpointRequests { get; } = new();

    /// <summary>Serve <c>POST /sync/checkpoint-request</c> (a service 1.24+); false answers 404 like an older one.</summary>
    public bool ServeCheckpointRequests { get; set; }

    /// <summary>The checkpoint request id the "service" holds for the client (set it to simulate a lost or newer record).</summary>
    public long StoredCheckpointRequestId
    {
        get => Interlocked.Read(ref _storedCheckpointRequestId);
        set => Interlocked.Exchange(ref _storedCheckpointRequestId, value);
    }

    /// <summary>Every checkpoint request posted, in order (also those answered 404).</summary>
    public ConcurrentQueue<long> PostedCheckpointRequests { get; } = new();

    /// <summary>The next checkpoint request the client posts.</summary>
    public Task<(string ClientId, long Id)> NextCheckpointRequestAsync() =>
        Eventually.WithTimeout(_checkpointRequests.Reader.ReadAsync().AsTask(), "the client to post a checkpoint request");

    public ConcurrentQueue<string> AuthorizationHeaders { get; } = new();

    /// <summary>
    /// Answers a stream request whose <c>Authorization</c> header it is given with that HTTP status (and an error body)
    /// when it returns one; null serves the stream.
    /// </summary>
    public Func<string, int?>? RefuseStream { get; set; }

    /// <summary>The next <paramref name="count"/> stream requests are answered with HTTP 500.</summary>
    public void FailNextStreams(int count) => Interlocked.Exchange(ref _failNextStreams, count);

    public Task<ScriptedStream> NextStreamAsync(TimeSpan? timeout = null) =>
        Eventually.WithTimeout(_streams.Reader.ReadAsync().AsTask(), "the client to open a sync stream", timeout);

    private async Task AcceptLoopAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_cts.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            AuthorizationHeaders.Enqueue(context.Request.Headers["Authorization"] ?? "");
            var path = context.Request.Url!.AbsolutePath;
            if (path.EndsWith("/write-checkpoint2.json", StringComparison.Ordinal))
            {
                WriteCheckpointRequests.Enqueue(context.Request.QueryString["client_id"] ?? "");
                var body = Encoding.UTF8.GetBytes("{\"data\":{\"write_checkpoint\":\"" + WriteCheckpoint + "\"}}");
                response.ContentType = "application/json";
                await response.OutputStream.WriteAsync(body);
                response.Close();
                return;
            }

            if (path.EndsWith("/sync/checkpoint-request", StringComparison.Ordinal) && context.Request.HttpMethod == "POST")
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var request = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement;
                var clientId = request.GetProperty("client_id").GetString()!;
                var id = long.Parse(request.GetProperty("checkpoint_request_id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                PostedCheckpointRequests.Enqueue(id);
                if (!ServeCheckpointRequests)
                {
                    response.StatusCode = 404;
                    response.Close();
                    _checkpointRequests.Writer.TryWrite((clientId, id));
                    return;
                }

                long stored;
                while (true)
                {
                    var current = StoredCheckpointRequestId;
                    stored = Math.Max(current, id);
                    if (Interlocked.CompareExchange(ref _storedCheckpointRequestId, stored, current) == current) break;
                }

                var answer = Encoding.UTF8.GetBytes("{\"data\":{\"checkpoint_request_id\":\"" + stored + "\"}}");
                response.ContentType = "application/json";
                await response.OutputStream.WriteAsync(answer);
                response.Close();
                _checkpointRequests.Writer.TryWrite((clientId, id));
                return;
            }

            if (path.EndsWith("/sync/stream", StringComparison.Ordinal) && context.Request.HttpMethod == "POST")
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var request = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
                if (RefuseStream?.Invoke(context.Request.Headers["Authorization"] ?? "") is { } refused)
                {
                    response.StatusCode = refused;
                    await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("{\"error\":{\"status\":" + refused + ",\"description\":\"scripted refusal\"}}"));
                    response.Close();
                    return;
                }

                if (Interlocked.Decrement(ref _failNextStreams) >= 0)
                {
                    response.StatusCode = 500;
                    await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("""{"error":{"code":"PSYNC_S2001","description":"scripted failure"}}"""));
                    response.Close();
                    return;
                }

                var stream = new ScriptedStream(request);
                response.ContentType = "application/x-ndjson";
                response.SendChunked = true;
                await response.OutputStream.FlushAsync();
                await _streams.Writer.WriteAsync(stream);
                await foreach (var line in stream.Lines.Reader.ReadAllAsync(_cts.Token))
                {
                    await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
                    await response.OutputStream.FlushAsync();
                }

                response.Close();
                stream.Closed.TrySetResult();
                return;
            }

            response.StatusCode = 404;
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        // Close alone: after Stop, Close unregisters the port a second time, and the managed listener then
        // binds it again to do so, failing with "address already in use" when another test took the port.
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }

        _cts.Dispose();
    }
}

/// <summary>One open sync stream: the request the client sent and the lines to answer with.</summary>
internal sealed class ScriptedStream(JsonElement request)
{
    public JsonElement Request { get; } = request;

    public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();

    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Dictionary<string, string> BucketPositions() =>
        Request.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!, b => b.GetProperty("after").GetString()!);

    public void Send(params string[] lines)
    {
        foreach (var line in lines) Lines.Writer.TryWrite(line);
    }

    /// <summary>Ends the HTTP response (the client sees the stream end).</summary>
    public void End() => Lines.Writer.TryComplete();
}
