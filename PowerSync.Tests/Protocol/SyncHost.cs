using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PowerSync.Core.Replication;
using PowerSync.Core.Auth;
using PowerSync.Core.Hosting;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using PowerSync.Tests.Auth;

namespace PowerSync.Tests.Protocol;

/// <summary>The sync endpoints on Kestrel at 127.0.0.1, over a real store, with an HMAC test key for tokens.</summary>
internal sealed class SyncHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SyncHost(WebApplication app, HttpClient client, TestKey key, SyncEndpoints endpoints)
    {
        Endpoints = endpoints;
        _app = app;
        Client = client;
        Key = key;
    }

    public HttpClient Client { get; }
    public SyncEndpoints Endpoints { get; }
    public TestKey Key { get; }

    public static async Task<SyncHost> StartAsync(IBucketStorage storage, IBucketResolver resolver, IReplicationHead head,
        int maxConnections = 100, int maxBodyBytes = 64 * 1024, int maxStreamsPerUser = 0, ILoggerProvider? logs = null)
    {
        var key = TestKey.Hmac(null);
        var auth = new PowerSyncAuthOptions { Jwks = TestKey.Set(key) };
        auth.Audiences.Add("powersync");
        var endpoints = new SyncEndpoints(
            new JwtAuthenticator(auth, new JwksKeySource(auth, null, TimeProvider.System), TimeProvider.System),
            storage, resolver, head, new SyncSessionOptions(), new SyncEndpointLimits(maxConnections, maxBodyBytes, maxStreamsPerUser),
            new SyncMetrics(), logs?.CreateLogger("PowerSync.Sync") ?? NullLogger.Instance, TimeProvider.System);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs);
        var app = builder.Build();
        SyncEndpointRoutes.Map(app, endpoints);
        await app.StartAsync();
        // No draining of abandoned streams: a test that drops a stream closes its connection at once.
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero };
        var client = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        return new SyncHost(app, client, key, endpoints);
    }

    public string Token(string sub = "user-1") => Key.Token(TestKey.Claims(DateTimeOffset.UtcNow, sub));

    public HttpRequestMessage StreamRequest(string body, string? token = null, bool gzip = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", "Token " + (token ?? Token()));
        if (gzip) request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        return request;
    }

    /// <summary>Opens a stream; the caller reads lines with <see cref="LineReader"/>.</summary>
    public async Task<HttpResponseMessage> OpenAsync(HttpRequestMessage request) =>
        await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Stops the host as the app's shutdown does (ApplicationStopping, then the server drains).</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Reads NDJSON lines from a response, each with a timeout.</summary>
internal sealed class LineReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    public async Task<string?> NextAsync(int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        return await _reader.ReadLineAsync(timeout.Token);
    }

    public void Dispose() => _reader.Dispose();
}
