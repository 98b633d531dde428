using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Auth;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// An ASP.NET app embedding PowerSync the way a user's backend does (<c>AddPowerSync</c> +
/// <c>MapPowerSync</c>), on 127.0.0.1 with its bucket store in a temp folder and an HMAC test key.
/// </summary>
internal sealed class EmbeddedApp : IAsyncDisposable
{
    private EmbeddedApp(WebApplication app, TestKey key, string folder)
    {
        App = app;
        Key = key;
        Folder = folder;
    }

    public WebApplication App { get; }
    public TestKey Key { get; }
    public string Folder { get; }
    public Uri Address => new(App.Urls.First());

    public static async Task<EmbeddedApp> StartAsync(string sourceConnectionString, string rules, BucketStorageEngine engine = BucketStorageEngine.Sqlite,
        Action<PowerSyncOptions>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("powersync-app-").FullName;
        var key = TestKey.Hmac(null);
        var builder = CreateBuilder();
        var powerSync = builder.Services.AddPowerSync(options =>
        {
            options.SourceConnectionString = sourceConnectionString;
            options.SyncRules = rules;
            options.Auth.Jwks = TestKey.Set(key);
            options.Auth.Audiences.Add("powersync");
            configure?.Invoke(options);
        });
        var store = Path.Combine(folder, "buckets.db");
        if (engine == BucketStorageEngine.LiteDb) powerSync.UseLiteDbStorage(store);
        else powerSync.UseSqliteStorage(store);
        var app = builder.Build();
        app.MapPowerSync();
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health.json", new() { ResponseWriter = PowerSyncHealth.WriteResponseAsync });
        await app.StartAsync();
        return new EmbeddedApp(app, key, folder);
    }

    /// <summary>
    /// The builder of an app like this one (on 127.0.0.1 at a free port, logging nothing), for tests that embed PowerSync
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

    /// <summary>A token for <paramref name="user"/>, valid for an hour.</summary>
    public string Token(string user) => Key.Token(TestKey.Claims(DateTimeOffset.UtcNow, user));

    /// <summary>An HTTP client for the app that closes abandoned streams at once (no draining).</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero }) { BaseAddress = Address };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
