using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using NUnit.Framework;
using PowerSync.Core.Hosting;
using PowerSync.Core.Storage.LiteDb;
using PowerSync.Core.Storage.Sqlite;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// The <see cref="PowerSyncBuilder"/> that <c>AddPowerSync</c> returns: the bucket store it chooses, an app's own
/// <see cref="NpgsqlDataSource"/>, changes made in code after configuration, and adding PowerSync once.
/// </summary>
public sealed class PowerSyncBuilderTests
{
    private const string Rules = "bucket_definitions:\n  all:\n    data:\n      - SELECT * FROM items\n";

    [Test]
    public async Task Builder_calls_apply_after_the_configuration_in_the_order_made_and_the_service_opens_the_store_they_chose()
    {
        using var folder = new TempFolder("powersync-builder-");
        var builder = LoopbackHost.CreateBuilder(folder.Path, """
            { "PowerSync": { "SourceConnectionString": "Host=127.0.0.1;Port=1", "SyncRules": "-", "StorageEngine": "Sqlite", "StoragePath": "from-config.db" } }
            """);
        builder.Services.AddPowerSync(builder.Configuration.GetSection("PowerSync"))
            .UseLiteDbStorage()
            .Configure(options => options.SyncRules = Rules)
            .ConfigureAuth(auth =>
            {
                auth.Jwks = TestKey.Set(TestKey.Hmac(null));
                auth.Audiences.Add("powersync");
            });
        await using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<PowerSyncOptions>>().Value;
        Assert.That((options.StorageEngine, options.StoragePath, options.SyncRules), Is.EqualTo((BucketStorageEngine.LiteDb, Path.Combine(folder.Path, "from-config.db"), Rules)),
            "the engine from code, the path kept from configuration");
        Assert.That(app.Services.GetRequiredService<PowerSyncService>().Storage, Is.InstanceOf<LiteDbBucketStorage>());
    }

    [Test]
    public async Task The_last_storage_choice_wins_with_its_path()
    {
        using var folder = new TempFolder("powersync-builder-");
        var builder = LoopbackHost.CreateBuilder(folder.Path);
        builder.Services.AddPowerSync(options =>
            {
                options.SourceConnectionString = "Host=127.0.0.1;Port=1";
                options.SyncRules = Rules;
                options.StorageEngine = BucketStorageEngine.LiteDb;
                options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
                options.Auth.Audiences.Add("powersync");
            })
            .UseLiteDbStorage("first.db")
            .UseSqliteStorage("second.db");
        await using var app = builder.Build();

        var service = app.Services.GetRequiredService<PowerSyncService>();
        Assert.That(service.Storage, Is.InstanceOf<SqliteBucketStorage>());
        Assert.That(File.Exists(Path.Combine(folder.Path, "second.db")), Is.True);
        Assert.That(File.Exists(Path.Combine(folder.Path, "first.db")), Is.False);
    }

    [Test]
    public async Task The_app_s_data_source_carries_powersync_s_queries_and_is_left_open_when_the_app_stops()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id text PRIMARY KEY); INSERT INTO items VALUES ('a'); CREATE PUBLICATION powersync FOR TABLE items;", ct);
        using var folder = new TempFolder("powersync-builder-");
        // Told apart in pg_stat_activity by application name: the app's pool, and PowerSync's own connection string.
        await using var appPool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "app-pool" }.ConnectionString);
        var key = TestKey.Hmac(null);
        var builder = LoopbackHost.CreateBuilder(folder.Path);
        builder.Services.AddSingleton(appPool);
        builder.Services.AddPowerSync(options =>
            {
                options.SourceConnectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "powersync-own" }.ConnectionString;
                options.SyncRules = Rules;
                options.Auth.Jwks = TestKey.Set(key);
                options.Auth.Audiences.Add("powersync");
            })
            .UseNpgsqlDataSource();
        var app = builder.Build();
        app.MapPowerSync();
        await app.StartAsync(ct);
        try
        {
            var service = app.Services.GetRequiredService<PowerSyncService>();
            await Eventually.HoldsAsync(() => Task.FromResult(service.HasCheckpoint), has => has, TimeSpan.FromSeconds(30), "replication reaches a checkpoint");
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/write-checkpoint2.json?client_id=c1");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key.Token(TestKey.Claims(DateTimeOffset.UtcNow, "alice")));
            using var response = await http.SendAsync(request, ct);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a write checkpoint, placed through the app's pool");

            var sessions = await db.ScalarAsync<string>(
                "SELECT string_agg(backend_type || ':' || application_name, ',' ORDER BY backend_type, application_name) FROM pg_stat_activity " +
                "WHERE datname = current_database() AND application_name IN ('app-pool', 'powersync-own')", ct);
            Assert.That(sessions.Split(',').Distinct(), Is.EquivalentTo(new[] { "client backend:app-pool", "walsender:powersync-own" }),
                "plain queries go through the app's pool, and only the replication stream connects with the connection string");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        await using var connection = await appPool.OpenConnectionAsync(ct);
        Assert.That(connection.State, Is.EqualTo(System.Data.ConnectionState.Open), "PowerSync did not dispose a data source it was given");
    }

    [Test]
    public async Task Adding_powersync_twice_registers_its_service_hosted_service_and_health_check_once()
    {
        using var folder = new TempFolder("powersync-builder-");
        var builder = LoopbackHost.CreateBuilder(folder.Path);
        builder.Services.AddPowerSync(options => options.SourceConnectionString = "Host=127.0.0.1;Port=1");
        builder.Services.AddPowerSync(options => options.SyncRules = Rules).ConfigureAuth(auth =>
        {
            auth.Jwks = TestKey.Set(TestKey.Hmac(null));
            auth.Audiences.Add("powersync");
        });
        await using var app = builder.Build();

        Assert.That(builder.Services.Count(d => d.ServiceType == typeof(PowerSyncService)), Is.EqualTo(1));
        Assert.That(app.Services.GetServices<IHostedService>().Count(s => s.GetType().Name == "PowerSyncHostedService"), Is.EqualTo(1));
        Assert.That(app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Count(r => r.Name == "powersync"), Is.EqualTo(1));
        var options = app.Services.GetRequiredService<IOptions<PowerSyncOptions>>().Value;
        Assert.That((options.SourceConnectionString, options.SyncRules), Is.EqualTo(("Host=127.0.0.1;Port=1", Rules)), "both delegates apply");
    }

    [Test]
    public async Task Mapping_powersync_without_adding_it_says_what_is_missing()
    {
        using var folder = new TempFolder("powersync-builder-");
        await using var app = LoopbackHost.CreateBuilder(folder.Path).Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapPowerSync());
        Assert.That(error!.Message, Does.Contain("builder.Services.AddPowerSync(...)"));
    }
}
