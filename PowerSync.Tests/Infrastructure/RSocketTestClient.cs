using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using PowerSync.Core.Hosting.RSocket;

namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// An RSocket client over a WebSocket, as the official JavaScript SDKs talk to the sync route: SETUP with the token
/// in its JSON metadata, REQUEST_STREAM with <c>{"path":"/sync/stream"}</c>, REQUEST_N, CANCEL, KEEPALIVE. Frames it
/// receives are parsed with the server's own parser (whose own tests check it against hand-made bytes).
/// </summary>
internal sealed class RSocketTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private RSocketTestClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    /// <summary>Opens the WebSocket to <c>/sync/stream</c> and sends SETUP (no token when <paramref name="authorization"/> is null).</summary>
    public static async Task<RSocketTestClient> ConnectAsync(Uri address, string? authorization, bool compression = false,
        string mime = "application/json", int lifetimeMs = 90_000)
    {
        var socket = new ClientWebSocket();
        if (compression) socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri($"ws://{address.Authority}/sync/stream"), timeout.Token);
        var client = new RSocketTestClient(socket);
        var metadata = authorization is null ? "{}" : $$"""{"token":"{{authorization}}","user_agent":"powersync-tests"}""";
        await client.SendAsync(Setup(mime, metadata, lifetimeMs));
        return client;
    }

    /// <summary>SETUP: version 1.0, keepalive 20 s, the given lifetime, JSON MIME types, metadata, no data.</summary>
    public static byte[] Setup(string mime, string metadata, int lifetimeMs = 90_000)
    {
        var mimeBytes = Encoding.ASCII.GetBytes(mime);
        var meta = Encoding.UTF8.GetBytes(metadata);
        var frame = new List<byte>();
        frame.AddRange(Header(0, RSocketFrameType.Setup, RSocketFlags.Metadata));
        frame.AddRange([0, 1, 0, 0]);
        frame.AddRange(BigEndian(20_000));
        frame.AddRange(BigEndian(lifetimeMs));
        frame.Add((byte)mimeBytes.Length);
        frame.AddRange(mimeBytes);
        frame.Add((byte)mimeBytes.Length);
        frame.AddRange(mimeBytes);
        frame.AddRange(Length24(meta.Length));
        frame.AddRange(meta);
        return [.. frame];
    }

    public Task RequestStreamAsync(int streamId, string request, int initialN, string path = "/sync/stream")
    {
        var meta = Encoding.UTF8.GetBytes($$"""{"path":"{{path}}"}""");
        var frame = new List<byte>();
        frame.AddRange(Header(streamId, RSocketFrameType.RequestStream, RSocketFlags.Metadata));
        frame.AddRange(BigEndian(initialN));
        frame.AddRange(Length24(meta.Length));
        frame.AddRange(meta);
        frame.AddRange(Encoding.UTF8.GetBytes(request));
        return SendAsync([.. frame]);
    }

    public Task RequestNAsync(int streamId, int n) => SendAsync([.. Header(streamId, RSocketFrameType.RequestN, 0), .. BigEndian(n)]);

    public Task CancelAsync(int streamId) => SendAsync(Header(streamId, RSocketFrameType.Cancel, 0));

    /// <summary>A KEEPALIVE asking for an answer, carrying <paramref name="data"/>.</summary>
    public Task KeepaliveAsync(byte[] data) => SendAsync([.. Header(0, RSocketFrameType.Keepalive, RSocketFlags.Respond), .. new byte[8], .. data]);

    public async Task SendAsync(byte[] frame)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next frame, or null when the server closed the WebSocket.</summary>
    public async Task<RSocketFrame?> NextAsync(int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) return RSocketFrame.Parse(message.ToArray());
        }
    }

    /// <summary>The next PAYLOAD frame's data as a BSON document (any other frame fails the test).</summary>
    public async Task<MongoDB.Bson.BsonDocument> NextLineAsync(int timeoutSeconds = 30)
    {
        var frame = await NextAsync(timeoutSeconds) ?? throw new NUnit.Framework.AssertionException("The server closed the connection.");
        if (frame.Type != RSocketFrameType.Payload || !frame.Has(RSocketFlags.Next))
            throw new NUnit.Framework.AssertionException($"Expected a PAYLOAD (NEXT), got {frame.Type} {frame.Flags:x} {ErrorText(frame)}");
        return BsonDocumentReader.Parse(frame.Data.Span);
    }

    public static string ErrorText(RSocketFrame frame) => frame.Type == RSocketFrameType.Error ? $"0x{frame.ErrorCode:x}: {Encoding.UTF8.GetString(frame.Data.Span)}" : "";

    public static byte[] Header(int streamId, RSocketFrameType type, int flags)
    {
        var header = new byte[RSocketFrame.HeaderLength];
        RSocketFrame.WriteHeader(header, streamId, type, flags);
        return header;
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Length24(int length) => [(byte)(length >> 16), (byte)(length >> 8), (byte)length];

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The server went first.
            }
        }
        _socket.Dispose();
    }
}
