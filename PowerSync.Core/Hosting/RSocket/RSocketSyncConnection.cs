using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using PowerSync.Core.Auth;
using PowerSync.Core.Protocol;

namespace PowerSync.Core.Hosting.RSocket;

/// <summary>
/// One client's RSocket connection over a WebSocket, serving the sync stream as the official service does: the SETUP
/// frame carries the token in its metadata (<c>{"token":"Token …","user_agent":…}</c>, JSON); each REQUEST_STREAM with
/// metadata <c>{"path":"/sync/stream"}</c> and the sync request as its data opens a sync stream whose lines go out as
/// PAYLOAD frames, one BSON document each, never more than the client has requested (REQUEST_N); CANCEL ends it;
/// KEEPALIVE frames are answered, and a client silent for the lifetime it announced is dropped. Refusals are ERROR
/// frames whose message is <c>[PSYNC_…] description</c>: REJECTED_SETUP for the connection (a bad token), APPLICATION_ERROR
/// for a stream. Only the frames the official clients use are served: no resumption, leases, fragmentation or channels.
/// </summary>
internal sealed class RSocketSyncConnection(WebSocket socket, SyncEndpoints endpoints) : IDisposable
{
    /// <summary>The route a stream's metadata must name.</summary>
    private const string SyncStreamPath = "/sync/stream";

    /// <summary>The only MIME type accepted for metadata and data (what the JavaScript SDKs send).</summary>
    private const string Json = "application/json";

    /// <summary>How long a new connection may take to send its SETUP frame.</summary>
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly ArrayBufferWriter<byte> _received = new(16 * 1024);
    private readonly ConcurrentDictionary<int, ActiveStream> _streams = new();
    private TimeSpan _lifetime = TimeSpan.FromSeconds(90);
    private SyncUser? _user;

    private sealed record ActiveStream(RequestCredit Credit, CancellationTokenSource Cancel)
    {
        public Task Running { get; set; } = Task.CompletedTask;

        /// <summary>The client sent CANCEL (or ERROR) for it: no frame may follow.</summary>
        public bool CancelledByClient { get; set; }
    }

    /// <summary>Serves the connection until the client closes it, goes silent, breaks the protocol, or the host stops.</summary>
    public async Task RunAsync(CancellationToken requestAborted, CancellationToken shutdown)
    {
        using var streams = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, shutdown);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        var receiving = ReceiveLoopAsync(streams.Token, requestAborted);
        await Task.WhenAny(receiving, Task.Delay(Timeout.Infinite, stopping.Token)).ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        // Streams end (after the host stops, each with its COMPLETE frame); then the WebSocket closes.
        await streams.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_streams.Values.Select(s => s.Running)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var status = shutdown.IsCancellationRequested ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure;
                await socket.CloseOutputAsync(status, shutdown.IsCancellationRequested ? "The host is shutting down" : null, quick.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away meanwhile.
            }
        }
        await receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReceiveLoopAsync(CancellationToken streams, CancellationToken requestAborted)
    {
        try
        {
            var setup = await ReceiveAsync(SetupTimeout, requestAborted).ConfigureAwait(false);
            if (setup is null) return;
            await AcceptSetupAsync(setup, streams).ConfigureAwait(false);
            while (await ReceiveAsync(_lifetime, requestAborted).ConfigureAwait(false) is { } frame)
            {
                if (!await HandleAsync(frame, streams).ConfigureAwait(false)) return;
            }
        }
        catch (RSocketProtocolException e)
        {
            await TrySendAsync(RSocketFrame.Error(0, e.Code, e.Message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the host is stopping.
        }
    }

    /// <summary>Checks the SETUP frame and authenticates its token; a refusal ends the connection with REJECTED_SETUP.</summary>
    private async Task AcceptSetupAsync(RSocketFrame setup, CancellationToken cancellationToken)
    {
        if (setup.Type != RSocketFrameType.Setup || setup.StreamId != 0)
            throw new RSocketProtocolException(RSocketErrorCodes.InvalidSetup, $"The first frame must be SETUP on stream 0, not {setup.Type} on stream {setup.StreamId}.");
        if (setup.Version.Major != 1)
            throw new RSocketProtocolException(RSocketErrorCodes.UnsupportedSetup, $"RSocket {setup.Version.Major}.{setup.Version.Minor} is not supported: this server speaks 1.0.");
        if (setup.Has(RSocketFlags.Resume))
            throw new RSocketProtocolException(RSocketErrorCodes.UnsupportedSetup, "Resumption is not supported: connect without it (a new connection resumes the sync where it was).");
        if (setup.Has(RSocketFlags.Lease))
            throw new RSocketProtocolException(RSocketErrorCodes.UnsupportedSetup, "Leases are not supported: connect without them.");
        if (setup.MetadataMimeType != Json || setup.DataMimeType != Json)
        {
            throw new RSocketProtocolException(RSocketErrorCodes.UnsupportedSetup,
                $"Metadata and data must be {Json} (got '{setup.MetadataMimeType}' and '{setup.DataMimeType}').");
        }
        if (setup.Keepalive.LifetimeMs > 0) _lifetime = TimeSpan.FromMilliseconds(setup.Keepalive.LifetimeMs);
        try
        {
            endpoints.ThrowIfShuttingDown();
            endpoints.ThrowIfNotServing();
            var token = ReadString(setup.Metadata, "token", "The SETUP metadata must be a JSON object with the token: {\"token\":\"Token <jwt>\"}.");
            _user = await endpoints.AuthenticateAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch (PowerSyncException e)
        {
            endpoints.Refused(e);
            throw new RSocketProtocolException(RSocketErrorCodes.RejectedSetup, Message(e));
        }
    }

    /// <summary>Handles one frame after SETUP; false when the connection is to end.</summary>
    private async Task<bool> HandleAsync(RSocketFrame frame, CancellationToken cancellationToken)
    {
        switch (frame.Type)
        {
            case RSocketFrameType.Keepalive when frame.Has(RSocketFlags.Respond):
                await SendAsync(RSocketFrame.KeepaliveFrame(respond: false, frame.Data.Span), cancellationToken).ConfigureAwait(false);
                return true;
            case RSocketFrameType.RequestStream:
                await OpenStreamAsync(frame, cancellationToken).ConfigureAwait(false);
                return true;
            case RSocketFrameType.RequestN:
                if (frame.RequestN <= 0) throw new RSocketProtocolException(RSocketErrorCodes.ConnectionError, "REQUEST_N must ask for at least one payload.");
                if (_streams.TryGetValue(frame.StreamId, out var requested)) requested.Credit.Add(frame.RequestN);
                return true;
            case RSocketFrameType.Cancel:
                if (_streams.TryGetValue(frame.StreamId, out var cancelled)) await CancelByClientAsync(cancelled).ConfigureAwait(false);
                return true;
            case RSocketFrameType.Error when frame.StreamId == 0:
                // The client ends the connection.
                return false;
            case RSocketFrameType.Error:
                if (_streams.TryGetValue(frame.StreamId, out var failed)) await CancelByClientAsync(failed).ConfigureAwait(false);
                return true;
            case RSocketFrameType.Setup:
                throw new RSocketProtocolException(RSocketErrorCodes.ConnectionError, "SETUP was sent twice.");
            case RSocketFrameType.RequestResponse or RSocketFrameType.RequestChannel:
                await SendAsync(RSocketFrame.Error(frame.StreamId, RSocketErrorCodes.Rejected,
                    $"Only request-stream is served ({SyncStreamPath})."), cancellationToken).ConfigureAwait(false);
                return true;
            default:
                // KEEPALIVE answers, fire-and-forget, PAYLOAD (channels only), METADATA_PUSH, LEASE, extensions: nothing to do.
                return true;
        }
    }

    private static Task CancelByClientAsync(ActiveStream stream)
    {
        stream.CancelledByClient = true;
        return stream.Cancel.CancelAsync();
    }

    private async Task OpenStreamAsync(RSocketFrame frame, CancellationToken cancellationToken)
    {
        var id = frame.StreamId;
        if (id == 0 || _streams.ContainsKey(id))
            throw new RSocketProtocolException(RSocketErrorCodes.ConnectionError, $"REQUEST_STREAM on stream {id}, which is {(id == 0 ? "the connection's" : "open")}.");
        IDisposable admission;
        SyncRequest request;
        try
        {
            if (frame.Has(RSocketFlags.Follows))
                throw new PowerSyncException(ProtocolErrorCodes.InvalidRequest, "Fragmented requests are not supported: send the sync request in one frame.");
            var path = ReadString(frame.Metadata, "path", $"The request metadata must be a JSON object naming the route: {{\"path\":\"{SyncStreamPath}\"}}.");
            if (path != SyncStreamPath)
                throw new PowerSyncException(ProtocolErrorCodes.InvalidRequest, $"No route '{path}': the only RSocket route is {SyncStreamPath}.");
            if (frame.Data.Length > endpoints.MaxRequestBodyBytes)
                throw new PowerSyncException(ProtocolErrorCodes.RequestTooLarge, $"The request is larger than {endpoints.MaxRequestBodyBytes} bytes.");
            // The frame's bytes are the receive buffer's: the request is parsed before the next frame arrives.
            request = endpoints.ParseRequest(frame.Data);
            await endpoints.EnsureRulesAsync(cancellationToken).ConfigureAwait(false);
            admission = endpoints.Admit(_user!);
        }
        catch (PowerSyncException e)
        {
            endpoints.Refused(e);
            await SendAsync(RSocketFrame.Error(id, RSocketErrorCodes.ApplicationError, Message(e)), cancellationToken).ConfigureAwait(false);
            return;
        }

        var stream = new ActiveStream(new RequestCredit(frame.RequestN), CancellationTokenSource.CreateLinkedTokenSource(cancellationToken));
        _streams[id] = stream;
        stream.Running = Task.Run(() => StreamAsync(id, request, stream, admission), CancellationToken.None);
    }

    /// <summary>One sync stream: a line goes out only once the client has requested it.</summary>
    private async Task StreamAsync(int id, SyncRequest request, ActiveStream stream, IDisposable admission)
    {
        var cancellationToken = stream.Cancel.Token;
        var user = _user!;
        var metrics = endpoints.Metrics;
        using var trace = SyncSessionTrace.Start(user.UserId, request.ClientId);
        var bytes = new SyncStreamBytes(metrics);
        var buffer = new ArrayBufferWriter<byte>(512);
        var lines = endpoints.NewSession(user, request, trace, keepaliveLines: false).RunAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        byte[]? ending = null;
        try
        {
            // The session only advances once the client has asked for its next line: nothing is built or held ahead of it.
            while (true)
            {
                await stream.Credit.TakeAsync(cancellationToken).ConfigureAwait(false);
                if (!await lines.MoveNextAsync().ConfigureAwait(false)) break;
                var line = lines.Current;
                var sent = await SendLineAsync(id, line, buffer, cancellationToken).ConfigureAwait(false);
                if (line is DataLine data) metrics.OperationsSent.Add(data.Page.Ops.Count);
                bytes.LineSent(line, sent);
                trace?.LineSent(line, sent);
            }
            ending = RSocketFrame.Complete(id);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the client (no frame follows a CANCEL), or the host is stopping (the stream completes).
            if (!stream.CancelledByClient) ending = RSocketFrame.Complete(id);
        }
        catch (PowerSyncException e)
        {
            SyncEndpointsLog.StreamFailed(endpoints.Logger, user.UserId, e.Code, e.Message);
            trace?.Failed(e.Code, e.Message);
            ending = RSocketFrame.Error(id, RSocketErrorCodes.ApplicationError, Message(e));
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            // The connection is gone.
        }
        catch (Exception e)
        {
            SyncEndpointsLog.StreamCrashed(endpoints.Logger, e);
            trace?.Failed(e.GetType().FullName ?? "unexpected", e.Message);
            ending = RSocketFrame.Error(id, RSocketErrorCodes.ApplicationError, "The sync stream failed unexpectedly; the server logged why.");
        }
        finally
        {
            await lines.DisposeAsync().ConfigureAwait(false);
            bytes.Ended();
            admission.Dispose();
            // Its token source is left to the collector: a CANCEL frame handled right now may still be using it.
            _streams.TryRemove(id, out _);
        }
        if (ending is not null) await TrySendAsync(ending).ConfigureAwait(false);
    }

    /// <summary>Sends one line as a PAYLOAD frame (NEXT) in one WebSocket message; returns the line's bytes.</summary>
    private async Task<long> SendLineAsync(int id, SyncLine line, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        var pieces = SyncEndpoints.LinePieces(line, SyncLineEncoding.Bson, buffer).ToList();
        var length = pieces.Sum(p => p.Length);
        var frame = ArrayPool<byte>.Shared.Rent(RSocketFrame.HeaderLength + length);
        try
        {
            RSocketFrame.WriteHeader(frame, id, RSocketFrameType.Payload, RSocketFlags.Next);
            var offset = RSocketFrame.HeaderLength;
            foreach (var piece in pieces)
            {
                piece.Span.CopyTo(frame.AsSpan(offset));
                offset += piece.Length;
            }
            await SendAsync(frame.AsMemory(0, offset), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
        return length;
    }

    private async Task SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Sends a closing frame if the connection still can (ending a stream, refusing a connection).</summary>
    private async Task TrySendAsync(byte[] frame)
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (socket.State == WebSocketState.Open) await SendAsync(frame, quick.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Nobody left to tell.
        }
    }

    /// <summary>The next frame (null once the client closes the WebSocket); a client silent for <paramref name="timeout"/> is a protocol error.</summary>
    private async Task<RSocketFrame?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Room for the largest request body a stream may send, and its metadata.
        var maxFrameBytes = endpoints.MaxRequestBodyBytes + (64 * 1024);
        _received.ResetWrittenCount();
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        silence.CancelAfter(timeout);
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(_received.GetMemory(16 * 1024), silence.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RSocketProtocolException(RSocketErrorCodes.ConnectionError,
                    $"Nothing was received for {timeout.TotalSeconds:0} s (the keepalive lifetime): the connection is closed.");
            }
            if (result.MessageType == WebSocketMessageType.Close) return null;
            if (result.MessageType != WebSocketMessageType.Binary)
                throw new RSocketProtocolException(RSocketErrorCodes.ConnectionError, "RSocket frames are binary WebSocket messages, not text.");
            _received.Advance(result.Count);
            if (_received.WrittenCount > maxFrameBytes)
            {
                throw new RSocketProtocolException(RSocketErrorCodes.ConnectionError,
                    $"[{ProtocolErrorCodes.RequestTooLarge}] A frame is larger than {maxFrameBytes} bytes (MaxRequestBodyBytes and 64 KiB of metadata).");
            }
            if (result.EndOfMessage) return RSocketFrame.Parse(_received.WrittenMemory);
        }
    }

    /// <summary>A string field of JSON metadata; <paramref name="shape"/> says what was expected when it is missing.</summary>
    private static string ReadString(ReadOnlyMemory<byte>? metadata, string field, string shape)
    {
        try
        {
            using var json = JsonDocument.Parse(metadata ?? ReadOnlyMemory<byte>.Empty);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String)
                return value.GetString()!;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Reported below, with the expected shape.
        }
        throw new PowerSyncException(field == "token" ? AuthErrorCodes.Missing : ProtocolErrorCodes.InvalidRequest, shape);
    }

    public void Dispose() => _send.Dispose();

    /// <summary>An error as the official service words it in ERROR frames (the SDKs look for the code in it).</summary>
    private static string Message(PowerSyncException e) => $"[{e.Code}] {e.Message}";
}
