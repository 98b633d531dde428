using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Hosting;
using PowerSync.Core.Replication;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Replication;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// The health check against a real Postgres reached through a proxy that can freeze the network path:
/// it reports the failure while it lasts, with its code, and is healthy again once replication streams.
/// </summary>
public sealed class ReplicationHealthTests
{
    internal const string Rules = """
        bucket_definitions:
          global:
            data:
              - SELECT id, name FROM items
        """;

    /// <summary>What <c>/health.json</c> (written by <see cref="PowerSyncHealth.WriteResponseAsync"/>) says of the <c>powersync</c> check.</summary>
    internal sealed record Health(string Status, string Description, Dictionary<string, JsonElement> Data)
    {
        public string? Text(string key) => Data.TryGetValue(key, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : null;

        public override string ToString() =>
            $"{Status}: {Description} {{{string.Join(", ", Data.Select(d => $"{d.Key}={d.Value}"))}}}";

        public static async Task<Health> ReadAsync(HttpClient client)
        {
            using var response = await client.GetAsync("/health.json");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var check = json.RootElement.GetProperty("checks").GetProperty("powersync");
            var data = check.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
            Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo(check.GetProperty("status").GetString()));
            return new Health(check.GetProperty("status").GetString()!, check.GetProperty("description").GetString() ?? "", data);
        }
    }

    private static async Task<Infrastructure.Postgres.TestDatabase> SourceAsync()
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE items (id text PRIMARY KEY, name text);
            INSERT INTO items VALUES ('i1', 'first');
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """);
        return db;
    }

    private static string ViaProxy(string connectionString, FreezableTcpProxy proxy) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 2, Pooling = false }.ConnectionString;

    private static FreezableTcpProxy ProxyFor(Infrastructure.Postgres.TestDatabase db, bool frozen = false)
    {
        var target = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        return new FreezableTcpProxy(target.Host!, target.Port, frozen);
    }

    [Test]
    public async Task A_frozen_replication_connection_turns_health_degraded_within_the_timeout_and_healthy_after_recovery()
    {
        var timeout = TimeSpan.FromSeconds(3);
        await using var db = await SourceAsync();
        await using var proxy = ProxyFor(db);
        await using var app = await LoopbackHost.StartPowerSyncAsync(ViaProxy(db.ConnectionString, proxy), Rules, configure: o => o.ReplicationTimeout = timeout);
        var client = app.Client;
        await Eventually.HoldsAsync(() => Health.ReadAsync(client), h => h.Status == "Healthy", TimeSpan.FromSeconds(60), "replication streams");

        proxy.Freeze();
        var degraded = await Eventually.HoldsAsync(() => Health.ReadAsync(client),
            h => h.Status == "Degraded" && h.Text("last_error_code") is ReplicationErrorCodes.ReplicationTimeout or ReplicationErrorCodes.ConnectionLost,
            TimeSpan.FromSeconds(60), "health reports the silent replication connection (then the reconnects that time out)");
        var during = await Health.ReadAsync(client);
        proxy.Thaw();
        var healed = await Eventually.HoldsAsync(() => Health.ReadAsync(client), h => h.Status == "Healthy", TimeSpan.FromSeconds(60), "replication recovers");
        var after = await Health.ReadAsync(client);

        // Silence is noticed after the timeout (a request for a reply goes out at half of it), plus Npgsql's cancel
        // request; a health request through the frozen path takes up to the timeout itself. Measured about 8.5 s;
        // a generous bound, still below the 30 s default timeout (and Npgsql's 60 s).
        Assert.That(degraded, Is.LessThan(TimeSpan.FromSeconds(20)), "detected within about the configured timeout");
        Assert.That(during.Status, Is.EqualTo("Degraded"));
        Assert.That(during.Description, Does.StartWith("Replication is failing (PSYNC_N101"), "still failing while frozen: reconnecting times out too");
        Assert.That(during.Data["connected"].GetBoolean(), Is.False);
        Assert.That(after.Data["connected"].GetBoolean(), Is.True);
        Assert.That(after.Text("last_error_code"), Is.Null, "the error is forgotten once replication streams again");
        TestContext.Progress.WriteLine($"frozen -> Degraded in {degraded.TotalSeconds:0.0} s; thawed -> Healthy in {healed.TotalSeconds:0.0} s; {after}");
    }

    [Test]
    public async Task Health_is_degraded_while_replication_fails_and_healthy_again_once_it_streams()
    {
        await using var db = await SourceAsync();
        // The source cannot be reached when the app starts: replication fails and is retried.
        await using var proxy = ProxyFor(db, frozen: true);
        await using var app = await LoopbackHost.StartPowerSyncAsync(ViaProxy(db.ConnectionString, proxy), Rules);
        var client = app.Client;
        await Eventually.HoldsAsync(() => Health.ReadAsync(client), h => h.Text("last_error_code") is not null, TimeSpan.FromSeconds(60), "replication fails");
        var failing = await Health.ReadAsync(client);

        proxy.Thaw();
        await Eventually.HoldsAsync(() => Health.ReadAsync(client), h => h.Status == "Healthy", TimeSpan.FromSeconds(60), "replication recovers");
        var recovered = await Health.ReadAsync(client);
        var service = app.App.Services.GetRequiredService<PowerSyncService>();
        using var plain = await client.GetAsync("/health");

        Assert.That(failing.Status, Is.EqualTo("Degraded"));
        Assert.That(failing.Text("last_error_code"), Is.AnyOf(ReplicationErrorCodes.ConnectionLost, ReplicationErrorCodes.SourceQueryFailed));
        Assert.That(failing.Data["connected"].GetBoolean(), Is.False);
        Assert.That(recovered.Text("last_error_code"), Is.Null);
        Assert.That(recovered.Data["connected"].GetBoolean(), Is.True);
        Assert.That(recovered.Data["retained_wal_bytes"].GetInt64(), Is.GreaterThanOrEqualTo(0));
        Assert.That(recovered.Data["replication_lag_seconds"].GetDouble(), Is.LessThan(60));
        Assert.That(service.ReplicationError, Is.Null);
        Assert.That(await plain.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"), "the default writer agrees");
    }

    [Test]
    public async Task Replication_lag_is_zero_on_an_idle_source_and_counts_only_positions_not_yet_durable()
    {
        var clock = new ManualTimeProvider();
        var progress = new ReplicationProgress(clock);
        Assert.That(progress.Lag(), Is.Null, "nothing known yet");

        progress.SourceAt(new Lsn(100), clock.GetUtcNow());
        progress.Durable(new Lsn(100));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.That(progress.Lag(), Is.EqualTo(TimeSpan.Zero), "an idle source that is caught up does not lag, however long ago its last commit");

        progress.SourceAt(new Lsn(200), clock.GetUtcNow());
        clock.Advance(TimeSpan.FromSeconds(5));
        progress.SourceAt(new Lsn(300), clock.GetUtcNow());
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.That(progress.Lag(), Is.EqualTo(TimeSpan.FromSeconds(10)), "the oldest position not yet durable");
        progress.Durable(new Lsn(250));
        Assert.That(progress.Lag(), Is.EqualTo(TimeSpan.FromSeconds(5)));
        progress.Durable(new Lsn(300));
        Assert.That(progress.Lag(), Is.EqualTo(TimeSpan.Zero));

        progress.Failed(new PowerSyncException(ReplicationErrorCodes.ReplicationTimeout, "silent"));
        Assert.That((progress.Connected, progress.Failure?.Code), Is.EqualTo((false, ReplicationErrorCodes.ReplicationTimeout)));
        Assert.That(progress.Streaming(), Is.True, "recovered");
        Assert.That((progress.Connected, progress.Failure), Is.EqualTo((true, (ReplicationFailure?)null)));
        Assert.That(progress.Streaming(), Is.False);
    }

    [Test]
    public void The_replication_connection_uses_tcp_keepalives_and_a_connect_timeout_within_the_replication_timeout()
    {
        var options = new ReplicationStreamOptions("Host=h;Username=u;Timeout=15", "slot", receiveTimeout: TimeSpan.FromSeconds(12), statusInterval: TimeSpan.FromSeconds(4));
        var builder = new NpgsqlConnectionStringBuilder(PgOutputReplicationStream.ConnectionStringFor(options));
        var ownSettings = new NpgsqlConnectionStringBuilder(PgOutputReplicationStream.ConnectionStringFor(
            new ReplicationStreamOptions("Host=h;TcpKeepAliveTime=100;TcpKeepAliveInterval=7", "slot")));

        Assert.That((builder.TcpKeepAlive, builder.TcpKeepAliveTime, builder.TcpKeepAliveInterval, builder.Timeout), Is.EqualTo((true, 6, 2, 12)));
        Assert.That((ownSettings.TcpKeepAliveTime, ownSettings.TcpKeepAliveInterval), Is.EqualTo((100, 7)), "settings of the connection string win");
    }

    [Test]
    public void Replication_timeout_and_lag_threshold_are_validated_with_the_other_options()
    {
        var options = new PowerSyncOptions { ReplicationTimeout = TimeSpan.FromMilliseconds(10), ReplicationLagThreshold = TimeSpan.Zero };
        var ex = Assert.Throws<PowerSyncException>(() => _ = new PowerSyncService(options));
        Assert.That(ex!.Message, Does.Contain("ReplicationTimeout must be between 1 second and 1 hour").And.Contain("ReplicationLagThreshold must be positive"));
    }
}
