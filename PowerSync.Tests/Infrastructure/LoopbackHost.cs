using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PowerSync.Core.Auth;
using PowerSync.Core.Hosting;
using PowerSync.Core.Protocol;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;
using PowerSync.Tests.Auth;

namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// The tests' one in-process host: an ASP.NET app on Kestrel at 127.0.0.1 (a free port) that tests reach over real
/// HTTP, with a temp folder of its own (the app's content root, deleted on dispose), an HMAC test key for tokens and
/// an HTTP client that drops abandoned streams at once. It runs PowerSync embedded the way a user's backend does
/// (<see cref="StartPowerSyncAsync"/>), the sync endpoints alone over a store the test made
/// (<see cref="StartSyncEndpointsAsync"/>), or any app (<see cref="StartAsync"/>, <see cref="StartProgramAsync"/>).
/// Logging is off unless the test passes a provider.
/// </summary>
internal sealed class LoopbackHost : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly SyncEndpoints? _endpoints;

    private LoopbackHost(WebApplication app, TempFolder folder, TestKey key, SyncEndpoints? endpoints)
    {
        App = app;
        _folder = folder;
        Key = key;
        _endpoints = endpoints;
        Address = new Uri(app.Urls.First());
        // No draining of abandoned streams: a test that drops a stream closes its connection at once.
        Client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public WebApplication App { get; }

    /// <summary>The host's temp folder: its content root, and a place for the test's stores and client databases.</summary>
    public string Folder => _folder.Path;

    /// <summary>The HMAC key the PowerSync hosts accept tokens from (see <see cref="Token"/>).</summary>
    public TestKey Key { get; }

    public Uri Address { get; }

    /// <summary>A client for the host (disposed with it).</summary>
    public HttpClient Client { get; }

    /// <summary>The sync endpoints being served: those given to <see cref="StartSyncEndpointsAsync"/>, or the embedded service's.</summary>
    public SyncEndpoints Endpoints => _endpoints ?? App.Services.GetRequiredService<PowerSyncService>().Endpoints;

    /// <summary>
    /// PowerSync embedded as a user's backend does it (<c>AddPowerSync</c>, <c>MapPowerSync</c>, health at <c>/health</c> as
    /// text and at <c>/health.json</c> as JSON), replicating <paramref name="source"/> into a store in the host's folder,
    /// accepting tokens signed with <see cref="Key"/> for the audience <c>powersync</c>.
    /// </summary>
    public static Task<LoopbackHost> StartPowerSyncAsync(string source, string rules, BucketStorageEngine engine = BucketStorageEngine.Sqlite,
        Action<PowerSyncOptions>? configure = null, ILoggerProvider? logs = null)
    {
        var key = TestKey.Hmac(null);
        return StartCoreAsync(OnSlimBuilder(builder =>
        {
            var powerSync = builder.Services.AddPowerSync(options =>
            {
                options.SourceConnectionString = source;
                options.SyncRules = rules;
                options.Auth.Jwks = TestKey.Set(key);
                options.Auth.Audiences.Add("powersync");
                configure?.Invoke(options);
            });
            var store = Path.Combine(builder.Environment.ContentRootPath, "buckets.db");
            if (engine == BucketStorageEngine.LiteDb) powerSync.UseLiteDbStorage(store);
            else if (engine == BucketStorageEngine.Postgres) powerSync.UsePostgresStorage();
            else powerSync.UseSqliteStorage(store);
            var app = builder.Build();
            app.MapPowerSync();
            app.MapHealthChecks("/health");
            app.MapHealthChecks("/health.json", new() { ResponseWriter = PowerSyncHealth.WriteResponseAsync });
            return app;
        }), logs, key, endpoints: null);
    }

    /// <summary>
    /// The builder of an app like these (on 127.0.0.1 at a free port, logging nothing), for tests that embed PowerSync
    /// themselves: with its content root in <paramref name="contentRoot"/> and <paramref name="appsettingsJson"/> as its
    /// appsettings.json, when given.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string? contentRoot = null, string? appsettingsJson = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (appsettingsJson is not null) builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(appsettingsJson)));
        return builder;
    }

    /// <summary>The sync endpoints alone over <paramref name="storage"/>, accepting tokens signed with <see cref="Key"/>.</summary>
    public static Task<LoopbackHost> StartSyncEndpointsAsync(IBucketStorage storage, IBucketResolver resolver, IReplicationHead head,
        int maxConnections = 100, int maxBodyBytes = 64 * 1024, int maxStreamsPerUser = 0, ILoggerProvider? logs = null, SyncSessionOptions? sessionOptions = null)
    {
        var key = TestKey.Hmac(null);
        var auth = new PowerSyncAuthOptions { Jwks = TestKey.Set(key) };
        auth.Audiences.Add("powersync");
        var endpoints = new SyncEndpoints(
            new JwtAuthenticator(auth, new JwksKeySource(auth, null, TimeProvider.System), TimeProvider.System),
            storage, resolver, head, sessionOptions ?? new SyncSessionOptions(), new SyncEndpointLimits(maxConnections, maxBodyBytes, maxStreamsPerUser),
            new SyncMetrics(), logs?.CreateLogger("PowerSync.Sync") ?? NullLogger.Instance, TimeProvider.System);
        return StartCoreAsync(OnSlimBuilder(builder =>
        {
            var app = builder.Build();
            SyncEndpointRoutes.Map(app, endpoints);
            return app;
        }), logs, key, endpoints);
    }

    /// <summary>Any app: <paramref name="build"/> adds its services to the prepared builder, builds it and maps its routes.</summary>
    public static Task<LoopbackHost> StartAsync(Func<WebApplicationBuilder, WebApplication> build, ILoggerProvider? logs = null) =>
        StartCoreAsync(OnSlimBuilder(build), logs, TestKey.Hmac(null), endpoints: null);

    /// <summary>
    /// An app whose program makes its own builder (a sample's): <paramref name="program"/> gets the host's folder and what
    /// to apply to that builder (loopback address, logging), and returns the built app.
    /// </summary>
    public static Task<LoopbackHost> StartProgramAsync(Func<string, Action<WebApplicationBuilder>, WebApplication> program, ILoggerProvider? logs = null) =>
        StartCoreAsync(program, logs, TestKey.Hmac(null), endpoints: null);

    private static Func<string, Action<WebApplicationBuilder>, WebApplication> OnSlimBuilder(Func<WebApplicationBuilder, WebApplication> build) =>
        (folder, prepare) =>
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = folder });
            prepare(builder);
            return build(builder);
        };

    private static async Task<LoopbackHost> StartCoreAsync(Func<string, Action<WebApplicationBuilder>, WebApplication> program, ILoggerProvider? logs,
        TestKey key, SyncEndpoints? endpoints)
    {
        var folder = new TempFolder("powersync-host-");
        WebApplication? app = null;
        try
        {
            app = program(folder.Path, builder =>
            {
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.Logging.ClearProviders();
                if (logs is not null) builder.Logging.AddProvider(logs);
            });
            await app.StartAsync();
            return new LoopbackHost(app, folder, key, endpoints);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            folder.Dispose();
            throw;
        }
    }

    /// <summary>A token signed with <see cref="Key"/> for <paramref name="user"/>, valid for an hour.</summary>
    public string Token(string user = "user-1") => Key.Token(TestKey.Claims(DateTimeOffset.UtcNow, user));

    /// <summary>A <c>POST /sync/stream</c> with <paramref name="body"/> and a token (by default <see cref="Token"/>'s for user-1).</summary>
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
    public Task StopAsync() => App.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _folder.Dispose();
    }
}
