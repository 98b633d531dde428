using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Admin;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Docs;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// <c>AddPowerSync(configuration.GetSection("PowerSync"))</c>: options bound from configuration and checked at start
/// with every problem together (unknown keys and malformed values too), the app's conventions for what they leave
/// open, and options that cannot change once the service runs.
/// </summary>
public sealed class PowerSyncConfigurationTests
{
    private const string Rules = "bucket_definitions:\n  all:\n    data:\n      - SELECT * FROM items\n";

    [Test]
    public async Task Settings_from_the_configuration_section_run_the_service_with_paths_from_the_content_root_and_the_app_s_connection_string()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id text PRIMARY KEY); INSERT INTO items VALUES ('a'); CREATE PUBLICATION items_pub FOR TABLE items;", timeout.Token);
        using var folder = new TempFolder("powersync-config-");
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "rules.yaml"), Rules, timeout.Token);
        var key = TestKey.Hmac(null);
        var builder = LoopbackHost.CreateBuilder(folder.Path, $$"""
            {
              "ConnectionStrings": { "PowerSync": "{{db.ConnectionString}}" },
              "PowerSync": {
                "syncRulesPath": "rules.yaml",
                "StoragePath": "store/buckets.litedb",
                "StorageEngine": "litedb",
                "PublicationName": "items_pub",
                "MaxConcurrentConnections": "5",
                "ReplicationTimeout": "00:00:20",
                "FailOnSourceValidationProblems": true,
                "Auth": {
                  "Jwks": {{System.Text.Json.JsonSerializer.Serialize(TestKey.Set(key))}},
                  "Audiences": [ "powersync", "other" ],
                  "MaxLifetime": "02:00:00"
                }
              }
            }
            """);
        Directory.CreateDirectory(Path.Combine(folder.Path, "store"));
        builder.Services.AddPowerSync(builder.Configuration.GetSection("PowerSync"));
        await using var app = builder.Build();
        app.MapPowerSync();
        await app.StartAsync(timeout.Token);
        try
        {
            var options = app.Services.GetRequiredService<IOptions<PowerSyncOptions>>().Value;
            Assert.That(options.SourceConnectionString, Is.EqualTo(db.ConnectionString), "ConnectionStrings:PowerSync, as the section sets none");
            Assert.That(options.SyncRulesPath, Is.EqualTo(Path.Combine(folder.Path, "rules.yaml")), "relative to the content root, not the working directory");
            Assert.That(options.StoragePath, Is.EqualTo(Path.Combine(folder.Path, "store", "buckets.litedb")));
            Assert.That((options.StorageEngine, options.PublicationName, options.MaxConcurrentConnections, options.ReplicationTimeout, options.FailOnSourceValidationProblems),
                Is.EqualTo((BucketStorageEngine.LiteDb, "items_pub", 5, TimeSpan.FromSeconds(20), true)));
            Assert.That(options.Auth.Audiences, Is.EqualTo(new[] { "powersync", "other" }));
            Assert.That(options.Auth.MaxLifetime, Is.EqualTo(TimeSpan.FromHours(2)));
            Assert.That(PowerSyncAdminOptions.From(options) is { StorageEngine: BucketStorageEngine.LiteDb } admin && admin.StoragePath == options.StoragePath,
                "the admin API reads the same settings");

            // The service runs on them: it replicates into a LiteDB store at that path and takes the token the section's keys verify.
            var service = app.Services.GetRequiredService<PowerSyncService>();
            await Eventually.HoldsAsync(() => Task.FromResult(service.HasCheckpoint), has => has, TimeSpan.FromSeconds(30), "replication reaches a checkpoint");
            Assert.That(await File.ReadAllBytesAsync(options.StoragePath, timeout.Token), Has.Length.GreaterThan(0));
            Assert.That(await service.AuthenticateAsync("Bearer " + key.Token(TestKey.Claims(DateTimeOffset.UtcNow, "alice", aud: "other")), timeout.Token), Is.EqualTo("alice"));
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public void Unknown_keys_malformed_values_and_invalid_settings_are_reported_together_when_the_app_starts()
    {
        using var folder = new TempFolder("powersync-config-");
        var builder = LoopbackHost.CreateBuilder(folder.Path, """
            {
              "PowerSync": {
                "SourceConnectionString": "Host=127.0.0.1;Port=1",
                "SyncRulePath": "sync-rules.yaml",
                "MaxConcurrentConnections": "many",
                "ReplicationTimeout": "30s",
                "StorageEngine": "Mongo",
                "MaxStreamsPerUser": "-1",
                "Auth": { "Audiences": "powersync", "JwksUris": [ "https://keys.example.com/jwks.json" ], "Issuer": "me" }
              }
            }
            """);
        builder.Services.AddPowerSync(builder.Configuration.GetSection("PowerSync"));
        using var app = builder.Build();

        var error = Assert.Throws<PowerSyncException>(() => app.MapPowerSync());
        Assert.That(error!.Code, Is.EqualTo(HostingErrorCodes.InvalidOptions));
        var lines = error.Message.Split(Environment.NewLine).Select(l => l.Trim()).ToList();
        Assert.That(lines[0], Is.EqualTo("PowerSync options are invalid (9 problem(s)):"));
        Assert.That(lines.Skip(1), Is.EquivalentTo(new[]
        {
            "PowerSync:SyncRulePath: not a setting of PowerSyncOptions (which has SourceConnectionString, PublicationName, SyncRules, SyncRulesPath, StoragePath, " +
                "StorageEngine, StorageConnectionString, StorageSchema, Role, ReplicationLeaseDuration, Auth, MaxConcurrentConnections, MaxBucketsPerConnection, " +
                "MaxRequestBodyBytes, MaxSubscriptionsPerConnection, MaxStreamsPerUser, FailOnSourceValidationProblems, ReplicationTimeout, ReplicationLagThreshold).",
            "PowerSync:MaxConcurrentConnections: 'many' is not a whole number.",
            "PowerSync:ReplicationTimeout: '30s' is not a duration ([d.]hh:mm:ss, e.g. 00:00:30).",
            "PowerSync:StorageEngine: 'Mongo' is not one of Sqlite, LiteDb, Postgres.",
            "PowerSync:Auth:Audiences: give a list (a JSON array, or keys PowerSync:Auth:Audiences:0, PowerSync:Auth:Audiences:1, ...), not a single value.",
            "PowerSync:Auth:Issuer: not a setting of PowerSyncAuthOptions (which has Jwks, JwksUris, Audiences, Issuers, MaxLifetime, ClockSkew, JwksRefreshInterval, JwksMaxAge).",
            "Sync rules: set exactly one of SyncRules (the YAML) or SyncRulesPath (a file with it).",
            "MaxStreamsPerUser must be 0 (no limit) or more (was -1).",
            "Auth: list at least one accepted token audience in Auth.Audiences (tokens must carry 'aud').",
        }));
    }

    [Test]
    public void A_connection_string_npgsql_cannot_read_is_an_options_problem_that_does_not_repeat_it()
    {
        var options = new PowerSyncOptions
        {
            SourceConnectionString = "Host=db;Password=hunter2;Colour=blue",
            SyncRules = Rules,
            Auth = { Jwks = TestKey.Set(TestKey.Hmac(null)), Audiences = { "powersync" } },
        };

        var error = Assert.Throws<PowerSyncException>(() => _ = new PowerSyncService(options));
        Assert.That(error!.Code, Is.EqualTo(HostingErrorCodes.InvalidOptions));
        Assert.That(error.Message, Does.Contain("SourceConnectionString: not a valid Postgres connection string (").And.Contain("colour").IgnoreCase);
        Assert.That(error.Message, Does.Not.Contain("hunter2"));
    }

    [Test]
    public void The_whole_configuration_instead_of_its_section_is_one_problem_that_names_the_section()
    {
        using var folder = new TempFolder("powersync-config-");
        var builder = LoopbackHost.CreateBuilder(folder.Path, """{ "PowerSync": { "SyncRulesPath": "sync-rules.yaml" }, "Logging": {} }""");
        builder.Services.AddPowerSync(builder.Configuration);
        using var app = builder.Build();

        var problems = app.Services.GetRequiredService<IOptions<PowerSyncOptions>>().Value.Problems();
        Assert.That(problems[0], Is.EqualTo("AddPowerSync(configuration) was given the app's whole configuration: give its section, configuration.GetSection(\"PowerSync\")."));
        Assert.That(problems, Has.None.Contains("Logging"), "the app's other keys are not listed one by one");
    }

    [Test]
    public async Task Options_cannot_change_once_the_service_runs_on_them_but_stay_changeable_while_invalid()
    {
        using var folder = new TempFolder("powersync-config-");
        var options = new PowerSyncOptions { SourceConnectionString = "Host=127.0.0.1;Port=1", StoragePath = Path.Combine(folder.Path, "buckets.db") };
        Assert.Throws<PowerSyncException>(() => _ = new PowerSyncService(options));
        options.SyncRules = Rules;   // still changeable: nothing runs on invalid options
        options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
        options.Auth.Audiences.Add("powersync");

        await using (new PowerSyncService(options))
        {
            var set = Assert.Throws<InvalidOperationException>(() => options.MaxConcurrentConnections = 5);
            Assert.That(set!.Message, Does.StartWith("PowerSyncOptions.MaxConcurrentConnections cannot change: PowerSync validated these options when it started"));
            var add = Assert.Throws<InvalidOperationException>(() => options.Auth.Audiences.Add("other"));
            Assert.That(add!.Message, Does.StartWith("PowerSyncOptions.Auth.Audiences cannot change"));
            Assert.Throws<InvalidOperationException>(() => options.Auth.JwksUris.Clear());
            Assert.Throws<InvalidOperationException>(() => options.Auth.MaxLifetime = TimeSpan.FromHours(1));
            Assert.That((options.MaxConcurrentConnections, options.Auth.Audiences.Count), Is.EqualTo((10_000, 1)), "nothing changed");
        }
    }

    [Test]
    public async Task Options_in_the_app_s_services_are_frozen_once_the_service_is_built()
    {
        using var folder = new TempFolder("powersync-config-");
        var builder = LoopbackHost.CreateBuilder(folder.Path, "{}");
        builder.Services.AddPowerSync(options =>
        {
            options.SourceConnectionString = "Host=127.0.0.1;Port=1";
            options.SyncRules = Rules;
            options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
            options.Auth.Audiences.Add("powersync");
        });
        await using var app = builder.Build();
        var options = app.Services.GetRequiredService<IOptions<PowerSyncOptions>>().Value;
        options.PublicationName = "before";   // nothing runs on them yet

        _ = app.Services.GetRequiredService<PowerSyncService>();
        Assert.Throws<InvalidOperationException>(() => options.PublicationName = "after");
        Assert.That(app.Services.GetRequiredService<PowerSyncService>().Options.PublicationName, Is.EqualTo("before"));
    }

    [Test]
    public void The_guide_s_settings_are_all_powersync_settings()
    {
        // docs/getting-started.md's appsettings.json and its production keys, as the app reads them in Production.
        using var folder = new TempFolder("powersync-config-");
        File.WriteAllText(Path.Combine(folder.Path, "sync-rules.yaml"), Rules);
        var builder = LoopbackHost.CreateBuilder(folder.Path, DocSnippetTests.DocTestedBlock("getting-started.md", "getting-started-appsettings"));
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(DocSnippetTests.DocTestedBlock("getting-started.md", "getting-started-appsettings-production"))));
        builder.Services.AddPowerSync(builder.Configuration.GetSection("PowerSync"));
        using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<PowerSyncOptions>>().Value;
        Assert.That(options.Problems(), Is.Empty);
        Assert.That(options.Auth.JwksUris, Is.EqualTo(new[] { new Uri("https://auth.example.com/.well-known/jwks.json") }));
        Assert.That(options.SyncRulesPath, Is.EqualTo(Path.Combine(folder.Path, "sync-rules.yaml")));
    }
}
