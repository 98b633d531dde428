using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Hosting;

/// <summary>Postgres → replication → sync rules → bucket store → HTTP stream, in one ASP.NET app.</summary>
public sealed class EndToEndTests
{
    private const string Rules = """
        bucket_definitions:
          user_lists:
            parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
            data:
              - SELECT * FROM lists WHERE id = bucket.list_id
              - SELECT id, description, done FROM todos WHERE list_id = bucket.list_id
        """;

    [TestCase(BucketStorageEngine.Sqlite)]
    [TestCase(BucketStorageEngine.LiteDb)]
    public async Task Rows_reach_the_users_they_belong_to_and_changes_follow_live(BucketStorageEngine engine)
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE lists (id text PRIMARY KEY, owner_id text NOT NULL, name text);
            CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, description text, done boolean NOT NULL DEFAULT false);
            INSERT INTO lists VALUES ('l1', 'alice', 'Groceries'), ('l2', 'bob', 'Work');
            INSERT INTO todos VALUES ('t1', 'l1', 'milk', false), ('t2', 'l2', 'report', true);
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """);
        await using var app = await LoopbackHost.StartPowerSyncAsync(db.ConnectionString, Rules, engine);
        var client = app.Client;
        {
            using var response = await app.OpenAsync(app.StreamRequest("""{"raw_data":true}""", app.Token("alice")));
            using var lines = new LineReader(await response.Content.ReadAsStreamAsync());

            var checkpoint = await lines.NextAsync(60);
            Assert.That(checkpoint, Does.StartWith("{\"checkpoint\":").And.Contain("user_lists[\\\"l1\\\"]").And.Not.Contain("l2"));
            var data = await lines.NextAsync();
            Assert.That(data, Does.Contain("\"object_type\":\"lists\"").And.Contain("Groceries"));
            Assert.That(data, Does.Contain("\"object_type\":\"todos\"").And.Contain("{\\\"id\\\":\\\"t1\\\",\\\"description\\\":\\\"milk\\\",\\\"done\\\":0}"));
            Assert.That(data, Does.Not.Contain("report"));
            Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint_complete\":"));

            await db.ExecuteAsync("UPDATE todos SET done = true WHERE id = 't1'; INSERT INTO todos VALUES ('t3', 'l2', 'not alice''s', false);");
            Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint_diff\":"));
            var change = await lines.NextAsync();
            Assert.That(change, Does.Contain("\\\"done\\\":1").And.Not.Contain("t3"));
            var service = app.App.Services.GetRequiredService<PowerSyncService>();
            Assert.That(service.ReplicationLag, Is.Not.Null.And.LessThan(TimeSpan.FromMinutes(1)), "replication lag is reported");
            Assert.That(service.ReplicationError, Is.Null);
            using (var health = await client.GetAsync("/health"))
                Assert.That(await health.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
            Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint_complete\":"));

            // A new list for alice: the parameter lookup changes, a new bucket appears with its rows.
            await db.ExecuteAsync("INSERT INTO lists VALUES ('l3', 'alice', 'Holiday'); INSERT INTO todos VALUES ('t4', 'l3', 'passport', false);");
            var diff = await lines.NextAsync();
            Assert.That(diff, Does.StartWith("{\"checkpoint_diff\":").And.Contain("user_lists[\\\"l3\\\"]"));
            var added = await lines.NextAsync();
            Assert.That(added, Does.Contain("Holiday").And.Contain("passport"));
        }
    }

    [Test]
    public void Invalid_options_are_reported_together_at_start()
    {
        var options = new PowerSyncOptions { MaxConcurrentConnections = 0, StorageEngine = (BucketStorageEngine)7 };
        var ex = Assert.Throws<PowerSyncException>(() => _ = new PowerSyncService(options));
        Assert.That(ex!.Code, Is.EqualTo("PSYNC_S0001"));
        Assert.That(ex.Message, Does.Contain("SourceConnectionString").And.Contain("SyncRules").And.Contain("MaxConcurrentConnections").And.Contain("Audiences")
            .And.Contain("StorageEngine 7"));
    }
}
