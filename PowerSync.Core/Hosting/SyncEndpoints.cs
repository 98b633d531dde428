using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PowerSync.Core.Auth;
using PowerSync.Core.Protocol;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Hosting;

/// <summary>
/// The HTTP face of the sync API: adapts requests to <see cref="SyncSession"/> and the write
/// checkpoint store. Nothing is streamed before the token, the body and the connection limit have
/// all passed; each refusal is a JSON error with the code that says why.
/// </summary>
internal sealed class SyncEndpoints(
    JwtAuthenticator authenticator,
    IBucketStorage storage,
    IBucketResolver resolver,
    IReplicationHead head,
    SyncSessionOptions sessionOptions,
    SyncEndpointLimits limits,
    SyncMetrics metrics,
    ILogger logger,
    TimeProvider time)
{
    private int _connections;
    private readonly SyncSessionServices _services = new(storage.Reader, storage.Checkpoints, storage.WriteCheckpoints, resolver, time);
    private readonly UserStreamCounts _perUser = new(limits.MaxStreamsPerUser);
    private CancellationToken _shutdown;
    private WebSocketMiddleware? _webSocketMiddleware;

    /// <summary>ASP.NET's WebSocket handshake for this route alone, so the app need not call <c>UseWebSockets()</c>.</summary>
    private WebSocketMiddleware WebSocketHandshake => _webSocketMiddleware ??=
        new WebSocketMiddleware(AcceptSocketAsync, Options.Create(new WebSocketOptions()), NullLoggerFactory.Instance);

    /// <summary>Sync streams open right now.</summary>
    public int OpenStreams => Volatile.Read(ref _connections);

    /// <summary>
    /// When <paramref name="stopping"/> fires (the host's <c>ApplicationStopping</c>), every open stream ends
    /// cleanly (its response completes, so clients reconnect elsewhere) and new ones get 503 (PSYNC_S2003).
    /// </summary>
    public void StopStreamsWhen(CancellationToken stopping) => _shutdown = stopping;

    /// <summary><c>POST /sync/stream</c></summary>
    public async Task StreamAsync(HttpContext context)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shutdown);
        var cancellationToken = stopping.Token;
        SyncUser user;
        SyncRequest request;
        IDisposable admission;
        try
        {
            ThrowIfShuttingDown();
            ThrowIfNotServing();
            user = await AuthenticateAsync(context.Request.Headers.Authorization, cancellationToken).ConfigureAwait(false);
            request = ParseRequest(await ReadBodyAsync(context, cancellationToken).ConfigureAwait(false));
            await EnsureRulesAsync(cancellationToken).ConfigureAwait(false);
            admission = Admit(user);
        }
        catch (PowerSyncException e)
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            await RefuseAsync(context, ShuttingDown()).ConfigureAwait(false);
            return;
        }

        using (admission) await WriteStreamAsync(context, user, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET /sync/stream</c> with a WebSocket upgrade: the same sync stream over RSocket, as the official service offers it
    /// (setup frame with the token in its metadata, request-stream, request-n, BSON lines). See <see cref="RSocket.RSocketSyncConnection"/>.
    /// </summary>
    public Task SocketAsync(HttpContext context) => WebSocketHandshake.Invoke(context);

    private async Task AcceptSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(context, new PowerSyncException(ProtocolErrorCodes.InvalidRequest,
                "GET /sync/stream is the WebSocket (RSocket) sync route: open a WebSocket, or POST the request to stream over HTTP.")).ConfigureAwait(false);
            return;
        }
        if (_shutdown.IsCancellationRequested)
        {
            await RefuseAsync(context, ShuttingDown()).ConfigureAwait(false);
            return;
        }
        // permessage-deflate when the client offers it, as the official service accepts it.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true }).ConfigureAwait(false);
        using var connection = new RSocket.RSocketSyncConnection(socket, this);
        await connection.RunAsync(context.RequestAborted, _shutdown).ConfigureAwait(false);
    }

    internal SyncMetrics Metrics => metrics;

    internal ILogger Logger => logger;

    internal int MaxRequestBodyBytes => limits.MaxRequestBodyBytes;

    internal Task<SyncUser> AuthenticateAsync(string? authorization, CancellationToken cancellationToken) => authenticator.AuthenticateAsync(authorization, cancellationToken);

    internal SyncRequest ParseRequest(ReadOnlyMemory<byte> body) =>
        SyncRequest.Parse(body, sessionOptions.MaxBucketsPerConnection, sessionOptions.MaxSubscriptionsPerConnection);

    /// <summary>Throws PSYNC_S2302 while no sync rules are deployed.</summary>
    internal async Task EnsureRulesAsync(CancellationToken cancellationToken)
    {
        if (await storage.Admin.GetActiveAsync(cancellationToken).ConfigureAwait(false) is null && await storage.Admin.GetProcessingAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            throw new PowerSyncException(ProtocolErrorCodes.NoActiveRules,
                "No sync rules are deployed yet: the service is starting, or no rules were configured. Retry shortly.");
        }
    }

    /// <summary>
    /// Counts a new stream of <paramref name="user"/> against the instance's and the user's limits (PSYNC_S2304,
    /// PSYNC_N2404 when over); disposing it ends the count.
    /// </summary>
    internal IDisposable Admit(SyncUser user)
    {
        ThrowIfShuttingDown();
        ThrowIfNotServing();
        if (Interlocked.Increment(ref _connections) > limits.MaxConcurrentConnections)
        {
            Interlocked.Decrement(ref _connections);
            throw new PowerSyncException(ProtocolErrorCodes.TooManyConnections,
                $"This instance already serves {limits.MaxConcurrentConnections} sync streams: retry later, or add instances.");
        }
        if (!_perUser.TryOpen(user.UserId))
        {
            Interlocked.Decrement(ref _connections);
            throw new PowerSyncException(ProtocolErrorCodes.TooManyUserStreams,
                $"This user already has {limits.MaxStreamsPerUser} sync streams open on this instance: close one first (MaxStreamsPerUser).");
        }
        metrics.Connections.Add(1);
        return new Admission(this, user.UserId);
    }

    private sealed class Admission(SyncEndpoints endpoints, string userId) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            endpoints._perUser.Close(userId);
            Interlocked.Decrement(ref endpoints._connections);
            endpoints.Metrics.Connections.Add(-1);
        }
    }

    /// <summary>A session for an admitted stream; over RSocket there are no keepalive lines (RSocket has its own).</summary>
    internal SyncSession NewSession(SyncUser user, SyncRequest request, SyncSessionTrace? trace, bool keepaliveLines = true) =>
        new(_services, user, request, keepaliveLines ? sessionOptions : sessionOptions with { KeepaliveLines = false }, trace);

    /// <summary>An instance that only replicates (Role ReplicateOnly) refuses every sync stream.</summary>
    internal void ThrowIfNotServing()
    {
        if (!limits.Serves)
        {
            throw new PowerSyncException(ProtocolErrorCodes.NotServing,
                "This instance only replicates (Role ReplicateOnly): connect to an instance that serves sync clients.");
        }
    }

    internal void ThrowIfShuttingDown()
    {
        if (_shutdown.IsCancellationRequested) throw ShuttingDown();
    }

    internal static PowerSyncException ShuttingDown() =>
        new(ProtocolErrorCodes.ShuttingDown, "This instance is shutting down: connect to another instance, or retry shortly.");

    private async Task WriteStreamAsync(HttpContext context, SyncUser user, SyncRequest request, CancellationToken cancellationToken)
    {
        var response = context.Response;
        var bson = SyncStreamNegotiation.PrefersBson(context.Request.Headers.Accept);
        var encoding = bson ? SyncLineEncoding.Bson : request.RawData ? SyncLineEncoding.Json : SyncLineEncoding.JsonEmbeddedData;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = bson ? SyncStreamNegotiation.Bson : SyncStreamNegotiation.NdJson;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var gzip = SyncStreamNegotiation.AcceptsGzip(context.Request.Headers.AcceptEncoding);
        if (gzip) response.Headers.ContentEncoding = "gzip";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);

        var body = response.Body;
        var compressed = gzip ? new CompressedLineWriter(body) : null;
        // Control lines are small; data lines come pre-serialized from the shared page cache.
        var buffer = new ArrayBufferWriter<byte>(512);
        using var trace = SyncSessionTrace.Start(user.UserId, request.ClientId);
        var bytes = new SyncStreamBytes(metrics);
        var session = NewSession(user, request, trace);
        try
        {
            await foreach (var line in session.RunAsync(cancellationToken).ConfigureAwait(false))
            {
                long sent = 0;
                // Awaiting the write is the backpressure: a slow client holds its session here, not in memory.
                if (SyncLineWriter.IsLarge(line, encoding))
                {
                    // Its size follows the client's buckets and subscriptions: streamed, never built whole.
                    sent = await SyncLineWriter.WriteAsync(line, compressed?.Line ?? body, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    foreach (var piece in LinePieces(line, encoding, buffer))
                    {
                        if (compressed is null) await body.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                        else await compressed.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                        sent += piece.Length;
                    }
                }
                if (compressed is null) await body.FlushAsync(cancellationToken).ConfigureAwait(false);
                else await compressed.EndLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is DataLine data) metrics.OperationsSent.Add(data.Page.Ops.Count);
                bytes.LineSent(line, sent);
                trace?.LineSent(line, sent);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or the host is stopping: the response ends here, cleanly when the client is still there.
        }
        catch (PowerSyncException e)
        {
            // Headers are sent: the stream just ends. The client reconnects and gets the error as a refusal if it persists.
            SyncEndpointsLog.StreamFailed(logger, user.UserId, e.Code, e.Message);
            trace?.Failed(e.Code, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug: the stack trace matters, the user's identity does not belong in an error log.
            SyncEndpointsLog.StreamCrashed(logger, e);
            trace?.Failed(e.GetType().FullName ?? "unexpected", e.Message);
        }
        finally
        {
            bytes.Ended();
            if (compressed is not null) await compressed.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A line's bytes: a data line's pieces from the shared page cache, or the line written into
    /// <paramref name="buffer"/> (valid until the next call).
    /// </summary>
    internal static IEnumerable<ReadOnlyMemory<byte>> LinePieces(SyncLine line, SyncLineEncoding encoding, ArrayBufferWriter<byte> buffer)
    {
        if (line is DataLine data)
        {
            foreach (var chunk in SyncLineWriter.DataLineBytes(data.Page, encoding)) yield return chunk;
            yield break;
        }
        buffer.ResetWrittenCount();
        SyncLineWriter.Write(line, encoding, buffer);
        yield return buffer.WrittenMemory;
    }

    /// <summary><c>GET /write-checkpoint2.json?client_id=</c>: the next write checkpoint id of this user and client.</summary>
    public async Task WriteCheckpointAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var user = await authenticator.AuthenticateAsync(context.Request.Headers.Authorization, cancellationToken).ConfigureAwait(false);
            var clientId = context.Request.Query["client_id"].ToString();
            if (!QueryValuesAreUtf8(context.Request.QueryString.Value, "client_id"))
                throw new PowerSyncException(ProtocolErrorCodes.InvalidRequest, "Invalid write checkpoint request: 'client_id' is not valid UTF-8 once percent-decoded.");
            if (SyncRequest.ClientIdProblem(clientId) is { } problem)
                throw new PowerSyncException(ProtocolErrorCodes.InvalidRequest, "Invalid write checkpoint request: " + problem);
            var key = WriteCheckpointKeys.For(user.UserId, clientId);
            var id = await head.RecordAtHeadAsync(lsn => storage.WriteCheckpoints.CreateAsync(key, lsn, cancellationToken), cancellationToken).ConfigureAwait(false);
            await WriteDataAsync(context, "write_checkpoint", id).ConfigureAwait(false);
        }
        catch (PowerSyncException e)
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether every value of <paramref name="name"/> in the raw query decodes to valid UTF-8. ASP.NET replaces
    /// invalid bytes (and encoded surrogates) with U+FFFD; such an id is refused rather than silently changed.
    /// </summary>
    internal static bool QueryValuesAreUtf8(string? query, string name)
    {
        if (string.IsNullOrEmpty(query)) return true;
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || !pair.AsSpan(0, equals).SequenceEqual(name)) continue;
            var value = pair.AsSpan(equals + 1);
            var bytes = new byte[value.Length];
            var length = 0;
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] == '%' && i + 2 < value.Length && byte.TryParse(value.Slice(i + 1, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
                {
                    bytes[length++] = b;
                    i += 2;
                }
                else if (value[i] < 0x80)
                {
                    bytes[length++] = (byte)value[i];
                }
                else
                {
                    // Non-ASCII characters sent unencoded were decoded by the server already.
                    return SyncRequest.IsWellFormed(value.ToString());
                }
            }
            if (!System.Text.Unicode.Utf8.IsValid(bytes.AsSpan(0, length))) return false;
        }
        return true;
    }

    /// <summary><c>POST /sync/checkpoint-request</c> with <c>{client_id, checkpoint_request_id}</c>: a client-supplied, monotonic write checkpoint.</summary>
    public async Task CheckpointRequestAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var user = await authenticator.AuthenticateAsync(context.Request.Headers.Authorization, cancellationToken).ConfigureAwait(false);
            var (clientId, requested) = ParseCheckpointRequest(await ReadBodyAsync(context, cancellationToken).ConfigureAwait(false));
            var key = WriteCheckpointKeys.For(user.UserId, clientId);
            var stored = await head.RecordAtHeadAsync(lsn => storage.WriteCheckpoints.RequestAsync(key, requested, lsn, cancellationToken), cancellationToken).ConfigureAwait(false);
            await WriteDataAsync(context, "checkpoint_request_id", stored).ConfigureAwait(false);
        }
        catch (PowerSyncException e)
        {
            await RefuseAsync(context, e).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>{"client_id": "...", "checkpoint_request_id": "&lt;1..2^63-1&gt;"}</c> (the id also as a JSON number);
    /// both are required, as in the official service. Other fields are ignored.
    /// </summary>
    private static (string ClientId, long Id) ParseCheckpointRequest(ReadOnlyMemory<byte> body)
    {
        const string Shape = "send {\"client_id\": \"<this client's id>\", \"checkpoint_request_id\": \"<1 to 9223372036854775807>\"}";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw InvalidCheckpointRequest($"the body is not valid JSON ({e.Message}); {Shape}.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw InvalidCheckpointRequest($"the body must be a JSON object; {Shape}.");
            if (!root.TryGetProperty("client_id", out var c) || c.ValueKind != JsonValueKind.String || ClientIdText(c) is not { Length: > 0 } clientId)
                throw InvalidCheckpointRequest($"'client_id' must be a non-empty string (checkpoint requests are counted per user and client); {Shape}.");
            if (SyncRequest.ClientIdProblem(clientId) is { } problem) throw InvalidCheckpointRequest(problem);
            if (root.TryGetProperty("checkpoint_request_id", out var idElement))
            {
                var text = idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString(),
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => null,
                };
                if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id >= 1)
                    return (clientId, id);
            }
            throw InvalidCheckpointRequest($"'checkpoint_request_id' must be an integer from 1 to 9223372036854775807 (a string of digits, or a number); {Shape}.");
        }
    }

    private static string? ClientIdText(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            throw InvalidCheckpointRequest("'client_id' is not valid text: it holds invalid UTF-8 or an escaped lone surrogate.");
        }
    }

    private static PowerSyncException InvalidCheckpointRequest(string message) =>
        new(ProtocolErrorCodes.InvalidRequest, "Invalid checkpoint request: " + message);

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > limits.MaxRequestBodyBytes) throw TooLarge();
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await context.Request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0) return buffer.WrittenMemory;
            buffer.Advance(read);
            if (buffer.WrittenCount > limits.MaxRequestBodyBytes) throw TooLarge();
        }
    }

    private PowerSyncException TooLarge() =>
        new(ProtocolErrorCodes.RequestTooLarge, $"The request body is larger than {limits.MaxRequestBodyBytes} bytes.");

    /// <summary>Counts and logs a refusal; returns its HTTP status.</summary>
    internal int Refused(PowerSyncException error)
    {
        var status = StatusFor(error.Code);
        metrics.Rejected.Add(1, new KeyValuePair<string, object?>("code", error.Code));
        SyncEndpointsLog.Refused(logger, error.Code, status, error.Message);
        return status;
    }

    private async Task RefuseAsync(HttpContext context, PowerSyncException error)
    {
        var status = Refused(error);
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("code", error.Code);
            json.WriteNumber("status", status);
            json.WriteString("description", error.Message);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteDataAsync(HttpContext context, string field, long value)
    {
        context.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("data");
            json.WriteString(field, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    internal static int StatusFor(string code) => code switch
    {
        _ when code.StartsWith("PSYNC_S21", StringComparison.Ordinal) => StatusCodes.Status401Unauthorized,
        // The keys could not be fetched: the token cannot be verified, answered as the official service does.
        AuthErrorCodes.JwksFetchFailed => StatusCodes.Status401Unauthorized,
        ReplicationErrorCodes.SourceQueryFailed => StatusCodes.Status503ServiceUnavailable,
        ProtocolErrorCodes.InvalidRequest => StatusCodes.Status400BadRequest,
        ProtocolErrorCodes.RequestTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProtocolErrorCodes.TooManyConnections => StatusCodes.Status429TooManyRequests,
        ProtocolErrorCodes.TooManySubscriptions => StatusCodes.Status400BadRequest,
        ProtocolErrorCodes.TooManyUserStreams => StatusCodes.Status429TooManyRequests,
        ProtocolErrorCodes.ShuttingDown => StatusCodes.Status503ServiceUnavailable,
        ProtocolErrorCodes.NotServing => StatusCodes.Status503ServiceUnavailable,
        StorageErrorCodes.InvalidCheckpointRequest => StatusCodes.Status400BadRequest,
        StorageErrorCodes.WriteCheckpointExhausted => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };
}

/// <summary>
/// Per-instance limits of the HTTP endpoints; <paramref name="MaxStreamsPerUser"/> 0 means no per-user limit;
/// <paramref name="Serves"/> false refuses every sync stream (an instance that only replicates).
/// </summary>
internal sealed record SyncEndpointLimits(int MaxConcurrentConnections, int MaxRequestBodyBytes, int MaxStreamsPerUser = 0, bool Serves = true);
