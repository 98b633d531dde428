using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Hosting;

/// <summary>Several app instances over one Postgres bucket store: one replicates, all serve, another takes over.</summary>
public sealed class SharedStoreTests
{
    private static readonly Schema AppSchema = new(new Table("todos", [Column.Text("description")]));

    private sealed class Connector(Uri endpoint, string token) : IPowerSyncBackendConnector
    {
        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken ct) =>
            Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(endpoint, token));

        public Task UploadDataAsync(PowerSyncDatabase database, CancellationToken ct) => Task.CompletedTask;
    }

    private static void Shared(PowerSyncOptions options) => options.ReplicationLeaseDuration = TimeSpan.FromSeconds(1);

    private static PowerSyncService ServiceOf(LoopbackHost host) => host.App.Services.GetRequiredService<PowerSyncService>();

    [Test]
    public async Task A_client_of_a_standby_instance_gets_every_change_and_keeps_getting_them_after_the_replicating_instance_stops()
    {
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync("""
            CREATE TABLE todos (id text PRIMARY KEY, description text);
            INSERT INTO todos VALUES ('t1', 'one');
            CREATE PUBLICATION powersync FOR TABLE todos;
            """);
        LoopbackHost? first = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, TestServiceOptions.GlobalTodosRules, BucketStorageEngine.Postgres, Shared);
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult(ServiceOf(first!).HasCheckpoint), has => has, TimeSpan.FromSeconds(60), "the first instance replicated");
            await using var second = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, TestServiceOptions.GlobalTodosRules, BucketStorageEngine.Postgres, Shared);
            Assert.That(ServiceOf(second).HasCheckpoint, Is.True, "a new instance serves the shared store's checkpoint at once");

            await using var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(second.Folder, "client.db"), Schema = AppSchema });
            await db.ConnectAsync(new Connector(second.Address, second.Token()));
            await Eventually.UntilAsync(db, "SELECT count(*) FROM todos", n => n == 1, "the first sync from the standby instance");

            await pgdb.ExecuteAsync("INSERT INTO todos VALUES ('t2', 'two')");
            await Eventually.UntilAsync(db, "SELECT count(*) FROM todos", n => n == 2, "a change replicated by the other instance");
            Assert.That(ServiceOf(second).Replications.Sum(r => r.Progress.Commits), Is.Zero, "the second instance only stood by");

            var stopping = first;
            first = null;
            await stopping.DisposeAsync();
            await pgdb.ExecuteAsync("INSERT INTO todos VALUES ('t3', 'three')");
            await Eventually.UntilAsync(db, "SELECT count(*) FROM todos", n => n == 3, "a change replicated after the takeover");
            Assert.That(ServiceOf(second).Replications.Sum(r => r.Progress.Commits), Is.GreaterThan(0), "the second instance replicates now");
            Assert.That(await db.GetAllAsync<string>("SELECT description FROM todos ORDER BY id"), Is.EqualTo(new[] { "one", "two", "three" }));
        }
        finally
        {
            if (first is not null) await first.DisposeAsync();
        }
    }

    [Test]
    public async Task A_replicate_only_instance_refuses_sync_streams_with_a_clear_error()
    {
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, description text); CREATE PUBLICATION powersync FOR TABLE todos;");
        await using var host = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, TestServiceOptions.GlobalTodosRules, BucketStorageEngine.Postgres,
            options => options.Role = PowerSyncInstanceRole.ReplicateOnly);

        using var response = await host.OpenAsync(host.StreamRequest("{}"));

        Assert.That((int)response.StatusCode, Is.EqualTo(503));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("PSYNC_N2405").And.Contain("only replicates"));
    }

    [Test]
    public async Task A_store_inside_a_publication_for_all_tables_is_refused_at_start_instead_of_replicating_its_own_writes()
    {
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, description text); CREATE PUBLICATION powersync FOR ALL TABLES;");

        var error = Assert.ThrowsAsync<PowerSync.Core.PowerSyncException>(() =>
            LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, TestServiceOptions.GlobalTodosRules, BucketStorageEngine.Postgres));

        Assert.That(error!.Code, Is.EqualTo(HostingErrorCodes.InvalidOptions));
        Assert.That(error.Message, Does.Contain("includes the bucket store's tables").And.Contain("StorageConnectionString"));
    }
}
