using NUnit.Framework;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// Edition-3 streams end to end: Postgres → replication → compiled streams → bucket store → HTTP, with a
/// client that subscribes the way the official clients do (<c>streams.subscriptions</c>).
/// </summary>
public sealed class Edition3EndToEndTests
{
    /// <summary>A default stream of the user's lists and, on subscription, one list's todos (StreamSubscriptionsAgainstHostTests uses them too).</summary>
    internal const string Rules = """
        config:
          edition: 3
        streams:
          my_lists:
            auto_subscribe: true
            query: SELECT * FROM lists WHERE owner_id = auth.user_id()
          list_todos:
            query: |
              SELECT todos.* FROM todos JOIN lists ON todos.list_id = lists.id
              WHERE lists.owner_id = auth.user_id() AND todos.list_id = subscription.parameter('list')
        """;

    [Test]
    public async Task A_subscribed_stream_syncs_the_rows_its_joins_allow_and_follows_changes()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE lists (id text PRIMARY KEY, owner_id text NOT NULL, name text);
            CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, description text, done boolean NOT NULL DEFAULT false);
            INSERT INTO lists VALUES ('l1', 'alice', 'Groceries'), ('l2', 'bob', 'Work'), ('l3', 'alice', 'Garden');
            INSERT INTO todos VALUES ('t1', 'l1', 'milk', false), ('t2', 'l2', 'report', true), ('t3', 'l3', 'weeds', false);
            CREATE PUBLICATION powersync FOR ALL TABLES;
            """);
        await using var app = await LoopbackHost.StartPowerSyncAsync(db.ConnectionString, Rules, BucketStorageEngine.Sqlite);

        // Alice subscribes to her list l1 and to bob's l2: the join on lists.owner_id only lets l1 through.
        const string body = """
            {"raw_data":true,"streams":{"include_defaults":true,"subscriptions":[
              {"stream":"list_todos","parameters":{"list":"l1"},"override_priority":1},
              {"stream":"list_todos","parameters":{"list":"l2"},"override_priority":null}]}}
            """;
        using var response = await app.OpenAsync(app.StreamRequest(body, app.Token("alice")));
        using var lines = new LineReader(await response.Content.ReadAsStreamAsync());

        var checkpoint = await lines.NextAsync(60);
        Assert.That(checkpoint, Does.StartWith("{\"checkpoint\":"));
        Assert.That(checkpoint, Does.Contain("my_lists|0[\\\"alice\\\"]"), "the default stream's bucket");
        Assert.That(checkpoint, Does.Contain("list_todos|0[\\\"l1\\\"]"), "the subscribed list alice owns");
        Assert.That(checkpoint, Does.Not.Contain("[\\\"l2\\\"]"), "bob's list is not alice's, whatever she subscribes to");

        var data = new List<string>();
        while (await lines.NextAsync() is { } line && !line.StartsWith("{\"checkpoint_complete\":", StringComparison.Ordinal))
        {
            data.Add(line);
        }

        var all = string.Join("\n", data);
        Assert.That(all, Does.Contain("Groceries").And.Contain("Garden").And.Contain("milk"));
        Assert.That(all, Does.Not.Contain("report").And.Not.Contain("weeds"), "todos of unsubscribed or foreign lists stay out");

        // A new todo in l1 follows live; one in l3 (not subscribed) does not.
        await db.ExecuteAsync("INSERT INTO todos VALUES ('t4', 'l1', 'bread', false), ('t5', 'l3', 'rake', false);");
        var diff = await lines.NextAsync();
        Assert.That(diff, Does.StartWith("{\"checkpoint_diff\":"));
        var change = await lines.NextAsync();
        Assert.That(change, Does.Contain("bread").And.Not.Contain("rake"));
    }
}
