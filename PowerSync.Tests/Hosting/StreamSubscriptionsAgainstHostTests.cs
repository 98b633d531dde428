using System.Text.Json;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// Stream subscriptions of PowerSync.Client against the real host (Postgres, replication, edition-3 streams, HTTP):
/// a default stream, a subscription's first sync, unsubscribing, <c>IncludeDefaultStreams = false</c>, an unknown
/// stream; and the checkpoint's <c>streams</c> and buckets' <c>subscriptions</c> as the official service sends them.
/// </summary>
public sealed class StreamSubscriptionsAgainstHostTests
{
    private const string Rules = Edition3EndToEndTests.Rules;

    private const string Source = """
        CREATE TABLE lists (id text PRIMARY KEY, owner_id text NOT NULL, name text);
        CREATE TABLE todos (id text PRIMARY KEY, list_id text NOT NULL, description text);
        INSERT INTO lists VALUES ('l1', 'alice', 'Groceries'), ('l2', 'bob', 'Work'), ('l3', 'alice', 'Garden');
        INSERT INTO todos VALUES ('t1', 'l1', 'milk'), ('t2', 'l2', 'report'), ('t3', 'l3', 'weeds');
        CREATE PUBLICATION powersync FOR ALL TABLES;
        """;

    private static readonly Schema AppSchema = new(
        new Table("lists", [Column.Text("owner_id"), Column.Text("name")]),
        new Table("todos", [Column.Text("list_id"), Column.Text("description")]));

    private static readonly Dictionary<string, object?> ListL1 = new() { ["list"] = "l1" };

    private sealed class Connector(Uri endpoint, string token) : IPowerSyncBackendConnector
    {
        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(endpoint, token));

        public Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private TestDatabase _pg = null!;
    private LoopbackHost _app = null!;

    [SetUp]
    public async Task SetUp()
    {
        _pg = await TestPostgres.CreateDatabaseAsync();
        await _pg.ExecuteAsync(Source);
        _app = await LoopbackHost.StartPowerSyncAsync(_pg.ConnectionString, Rules, BucketStorageEngine.Sqlite);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _app.DisposeAsync();
        await _pg.DisposeAsync();
    }

    private Task<PowerSyncDatabase> OpenClientAsync() =>
        PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(_app.Folder, "client.db"), Schema = AppSchema });

    private static async Task<IReadOnlyList<string>> IdsAsync(PowerSyncDatabase db, string table) =>
        await db.GetAllAsync<string>($"SELECT id FROM {table} ORDER BY id");

    [Test]
    public async Task A_client_syncs_the_default_stream_then_a_subscription_and_drops_it_after_unsubscribing_all()
    {
        await using var db = await OpenClientAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await db.ConnectAsync(new Connector(_app.Address, _app.Token("alice")), new PowerSyncConnectionOptions { RetryDelay = TimeSpan.FromMilliseconds(50) });

        await db.WaitForFirstSyncAsync(cancellationToken: timeout.Token);
        Assert.That(await IdsAsync(db, "lists"), Is.EqualTo(new[] { "l1", "l3" }), "the default stream: alice's lists");
        Assert.That(await IdsAsync(db, "todos"), Is.Empty, "no subscription yet");
        var mine = db.CurrentStatus.ForStream("my_lists");
        Assert.That((mine?.IsDefault, mine?.Active, mine?.HasSynced, mine?.HasExplicitSubscription), Is.EqualTo(((bool?)true, (bool?)true, (bool?)true, (bool?)false)));

        var subscription = await db.SyncStream("list_todos", ListL1).SubscribeAsync(priority: 1);
        await subscription.WaitForFirstSyncAsync(timeout.Token);
        Assert.That(await IdsAsync(db, "todos"), Is.EqualTo(new[] { "t1" }), "the subscribed list's todos, at once after its first sync");
        var todos = db.CurrentStatus.ForStream("list_todos", ListL1)!;
        Assert.That((todos.Active, todos.IsDefault, todos.HasSynced, todos.Priority), Is.EqualTo((true, false, true, (int?)1)));

        // A second subscription to bob's list resolves to nothing (the join on owner_id), but is not an error.
        var foreign = new Dictionary<string, object?> { ["list"] = "l2" };
        var other = await db.SyncStream("list_todos", foreign).SubscribeAsync();
        await other.WaitForFirstSyncAsync(timeout.Token);
        Assert.That(await IdsAsync(db, "todos"), Is.EqualTo(new[] { "t1" }));

        // Changes follow live for the subscription.
        await _pg.ExecuteAsync("INSERT INTO todos VALUES ('t4', 'l1', 'bread'), ('t5', 'l3', 'rake')");
        await Eventually.UntilAsync(db, "SELECT count(*) FROM todos WHERE id = 't4'", n => n == 1, "the new todo of the subscribed list");
        Assert.That(await IdsAsync(db, "todos"), Is.EqualTo(new[] { "t1", "t4" }));

        await subscription.UnsubscribeAsync();
        await db.SyncStream("list_todos", ListL1).UnsubscribeAllAsync(timeout.Token);
        await Eventually.UntilAsync(db, "SELECT count(*) FROM todos", n => n == 0, "the unsubscribed stream's rows to go");
        Assert.That(await IdsAsync(db, "lists"), Is.EqualTo(new[] { "l1", "l3" }), "the default stream stays");
        await other.UnsubscribeAsync();
    }

    [Test]
    public async Task Without_default_streams_only_subscriptions_sync_and_an_unknown_stream_fails_its_wait()
    {
        await using var db = await OpenClientAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var unknown = await db.SyncStream("no_such_stream").SubscribeAsync();
        var subscription = await db.SyncStream("list_todos", ListL1).SubscribeAsync();
        await db.ConnectAsync(new Connector(_app.Address, _app.Token("alice")), new PowerSyncConnectionOptions { IncludeDefaultStreams = false });

        await subscription.WaitForFirstSyncAsync(timeout.Token);
        Assert.That(await IdsAsync(db, "todos"), Is.EqualTo(new[] { "t1" }));
        Assert.That(await IdsAsync(db, "lists"), Is.Empty, "the default stream is left out");
        Assert.That(db.CurrentStatus.ForStream("my_lists"), Is.Null);

        var e = Assert.ThrowsAsync<PowerSyncClientException>(() => unknown.WaitForFirstSyncAsync(timeout.Token));
        Assert.That(e!.Code, Is.EqualTo(ClientErrorCodes.StreamSubscriptionFailed));
        Assert.That(e.Message, Does.Contain("no_such_stream"));
    }

    [Test]
    public async Task The_checkpoint_lists_subscribed_streams_and_each_bucket_names_the_subscription_that_brought_it()
    {
        const string body = """
            {"raw_data":true,"streams":{"include_defaults":true,"subscriptions":[
              {"stream":"no_such_stream","parameters":null,"override_priority":null},
              {"stream":"list_todos","parameters":{"list":"l3"},"override_priority":null},
              {"stream":"list_todos","parameters":{"list":"l1"},"override_priority":2}]}}
            """;
        using var response = await _app.OpenAsync(_app.StreamRequest(body, _app.Token("alice")));
        using var lines = new LineReader(await response.Content.ReadAsStreamAsync());
        using var checkpoint = JsonDocument.Parse((await lines.NextAsync(60))!);

        var root = checkpoint.RootElement.GetProperty("checkpoint");
        Assert.That(root.GetProperty("streams").GetRawText(), Is.EqualTo("""[{"name":"my_lists","is_default":true,"errors":[]},{"name":"list_todos","is_default":false,"errors":[]}]"""),
            "the streams of the config the client is subscribed to, in config order; the unknown one is not listed");
        var reasons = root.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("bucket").GetString() + " " + b.GetProperty("subscriptions").GetRawText());
        // Bucket ids carry the sync rules' version (1#), as the official service's do.
        Assert.That(reasons.Order(StringComparer.Ordinal), Is.EqualTo(new[]
        {
            """1#list_todos|0["l1"] [{"sub":2}]""",
            """1#list_todos|0["l3"] [{"sub":1}]""",
            """1#my_lists|0["alice"] [{"default":0}]""",
        }));
    }
}
