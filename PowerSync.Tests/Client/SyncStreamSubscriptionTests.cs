using NUnit.Framework;
using PowerSync.Client;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>
/// Stream subscriptions (<c>db.SyncStream(name, parameters).SubscribeAsync</c>) against the scripted server: what the
/// request carries, how the checkpoint's <c>streams</c> and buckets' <c>subscriptions</c> become per-stream status,
/// TTLs on a manual clock, restarts, default streams and priorities.
/// </summary>
[TestFixture]
public sealed class SyncStreamSubscriptionTests
{
    private SyncHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await SyncHarness.StartAsync();

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private static readonly Dictionary<string, object?> ListL1 = new() { ["list"] = "l1" };

    private static string StreamsCheckpoint(long lastOpId, string streams, params string[] buckets) =>
        "{\"checkpoint\":{\"buckets\":[" + string.Join(",", buckets) + "],\"last_op_id\":\"" + lastOpId + "\",\"streams\":[" + streams + "],\"write_checkpoint\":null}}";

    private static string Stream(string name, bool isDefault, string errors = "") =>
        "{\"errors\":[" + errors + "],\"is_default\":" + (isDefault ? "true" : "false") + ",\"name\":\"" + name + "\"}";

    /// <summary>A bucket line with the given <c>subscriptions</c> JSON (e.g. <c>{"sub":0}</c>).</summary>
    private static string BucketFor(string name, Op[] ops, int priority, params string[] reasons) =>
        "{\"bucket\":\"" + name + "\",\"checksum\":" + Sum(ops) + ",\"count\":" + ops.Length + ",\"priority\":" + priority + ",\"subscriptions\":[" + string.Join(",", reasons) + "]}";

    private static List<(string Stream, string Parameters, string Priority)> Subscriptions(ScriptedStream stream) =>
        stream.Request.GetProperty("streams").GetProperty("subscriptions").EnumerateArray()
            .Select(s => (s.GetProperty("stream").GetString()!, s.GetProperty("parameters").GetRawText(), s.GetProperty("override_priority").GetRawText())).ToList();

    [Test]
    public async Task A_subscription_is_sent_in_the_request_and_its_first_sync_completes_its_wait()
    {
        var subscription = await _h.Db.SyncStream("todos", ListL1).SubscribeAsync(priority: 1);
        var offline = _h.Db.CurrentStatus.ForStream("todos", ListL1);
        Assert.That(offline, Is.Not.Null, "a subscription shows in the status before connecting");
        Assert.That((offline!.HasExplicitSubscription, offline.Active, offline.HasSynced), Is.EqualTo((true, false, false)));

        var stream = await _h.ConnectAsync();
        Assert.That(stream.Request.GetProperty("streams").GetProperty("include_defaults").GetBoolean(), Is.True);
        Assert.That(Subscriptions(stream), Is.EqualTo(new[] { ("todos", """{"list":"l1"}""", "1") }));

        var wait = subscription.WaitForFirstSyncAsync();
        var op = Put(1, "t1", """{"description":"milk"}""");
        stream.Send(StreamsCheckpoint(1, Stream("todos", false), BucketFor("todos-l1", [op], 1, "{\"sub\":0}")), Data("todos-l1", op));
        await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.ForStream("todos", ListL1)?.Progress is { TotalOperations: 1 }), "the stream's progress");
        Assert.That(wait.IsCompleted, Is.False, "no checkpoint applied yet");

        stream.Send(Complete(1));
        await Eventually.WithTimeout(wait, "the subscription's first sync");

        var status = _h.Db.CurrentStatus.ForStream("todos", ListL1)!;
        Assert.That((status.Active, status.IsDefault, status.HasSynced, status.Priority, status.Progress), Is.EqualTo((true, false, true, (int?)1, (PowerSync.Client.Status.SyncProgress?)null)));
        Assert.That(status.ExpiresAt, Is.GreaterThan(DateTimeOffset.UtcNow.AddHours(23)), "the default TTL is a day");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"milk") }));
    }

    [Test]
    public async Task Subscribing_while_connected_reopens_the_stream_with_the_new_subscription()
    {
        var first = await _h.ConnectAsync();
        Assert.That(Subscriptions(first), Is.Empty);

        var subscription = await _h.Db.SyncStream("todos", ListL1).SubscribeAsync();
        var second = await _h.Server.NextStreamAsync();
        Assert.That(Subscriptions(second), Is.EqualTo(new[] { ("todos", """{"list":"l1"}""", "null") }));

        // Subscribing again to the same stream and parameters changes nothing the service sees.
        var again = await _h.Db.SyncStream("todos", ListL1).SubscribeAsync();
        await again.UnsubscribeAsync();
        await subscription.UnsubscribeAsync();
        var op = Put(1, "t1", """{"description":"milk"}""");
        second.Send(StreamsCheckpoint(1, Stream("todos", false), BucketFor("todos", [op], 3, "{\"sub\":0}")), Data("todos", op), Complete(1));
        await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.ForStream("todos", ListL1)?.HasSynced == true), "the unsubscribed (not yet expired) stream to sync");
        Assert.That(_h.Server.PendingStreams, Is.Zero, "an unsubscribed subscription stays in the request until it expires: no reconnect");
    }

    [Test]
    public async Task An_unsubscribed_subscription_expires_after_its_ttl_and_leaves_the_request()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = Path.Combine(_h.Context.Folder, "ttl.db"),
            Schema = SyncHarness.TestSchema,
        }, null, time, CancellationToken.None);
        var kept = await db.SyncStream("kept").SubscribeAsync(ttl: TimeSpan.FromMinutes(1));
        var dropped = await db.SyncStream("dropped").SubscribeAsync(ttl: TimeSpan.FromMinutes(1));
        await db.ConnectAsync(_h.Connector, SyncHarness.Options with { CheckpointMode = CheckpointMode.Legacy });
        var first = await _h.Server.NextStreamAsync();
        Assert.That(Subscriptions(first).Select(s => s.Stream), Is.EqualTo(new[] { "kept", "dropped" }));

        await dropped.UnsubscribeAsync();
        time.Advance(TimeSpan.FromSeconds(30));
        // Lines are handled in order: once the checkpoint after the keepalive is applied, the keepalive was handled.
        first.Send("""{"token_expires_in":3600}""", StreamsCheckpoint(0, Stream("kept", false) + "," + Stream("dropped", false)), Complete(0));
        await Eventually.WithTimeout(db.WaitForStatusAsync(s => s.ForStream("kept")?.HasSynced == true), "the checkpoint after the keepalive");
        Assert.That(_h.Server.PendingStreams, Is.Zero, "within its TTL the unsubscribed subscription is still requested: no reconnect");

        time.Advance(TimeSpan.FromSeconds(31));
        first.Send("""{"token_expires_in":3600}""");
        var second = await _h.Server.NextStreamAsync();
        Assert.That(Subscriptions(second).Select(s => s.Stream), Is.EqualTo(new[] { "kept" }), "the held subscription was renewed at each keepalive; the other expired");
        Assert.That(await db.GetAllAsync<string>("SELECT stream_name FROM ps_stream_subscriptions"), Is.EqualTo(new[] { "kept" }));
        await kept.UnsubscribeAsync();
    }

    [Test]
    public async Task Subscriptions_are_kept_across_a_restart_until_their_ttl_runs_out()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var options = new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(_h.Context.Folder, "restart.db"), Schema = SyncHarness.TestSchema };
        await using (var db = await PowerSyncDatabase.OpenAsync(options, null, time, CancellationToken.None))
        {
            await db.SyncStream("todos", ListL1).SubscribeAsync(ttl: TimeSpan.FromHours(1), priority: 2);
        }

        time.Advance(TimeSpan.FromMinutes(59));
        await using (var db = await PowerSyncDatabase.OpenAsync(options, null, time, CancellationToken.None))
        {
            var status = db.CurrentStatus.ForStream("todos", ListL1);
            Assert.That(status?.HasExplicitSubscription, Is.True, "the subscription was read back at open");
            Assert.That(status!.ExpiresAt, Is.EqualTo(time.GetUtcNow().AddMinutes(1)).Within(TimeSpan.FromSeconds(1)));
            await db.ConnectAsync(_h.Connector, SyncHarness.Options with { CheckpointMode = CheckpointMode.Legacy });
            var stream = await _h.Server.NextStreamAsync();
            Assert.That(Subscriptions(stream), Is.EqualTo(new[] { ("todos", """{"list":"l1"}""", "2") }), "requested after the restart, with its priority");
            await db.DisconnectAsync();
        }

        time.Advance(TimeSpan.FromMinutes(2));
        await using (var db = await PowerSyncDatabase.OpenAsync(options, null, time, CancellationToken.None))
        {
            await db.ConnectAsync(_h.Connector, SyncHarness.Options with { CheckpointMode = CheckpointMode.Legacy });
            var stream = await _h.Server.NextStreamAsync();
            Assert.That(Subscriptions(stream), Is.Empty, "expired while the app was closed");
        }
    }

    [Test]
    public async Task A_default_stream_is_tracked_from_the_checkpoint_and_defaults_can_be_left_out()
    {
        var stream = await _h.ConnectAsync();
        var op = Put(1, "t1", """{"description":"everyone's"}""");
        stream.Send(StreamsCheckpoint(1, Stream("global", true), BucketFor("global", [op], 3, "{\"default\":0}")), Data("global", op), Complete(1));
        var status = await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.ForStream("global")?.HasSynced == true), "the default stream to sync");
        var global = status.ForStream("global")!;
        Assert.That((global.IsDefault, global.HasExplicitSubscription, global.Active, global.ExpiresAt), Is.EqualTo((true, false, true, (DateTimeOffset?)null)));
        await _h.Db.DisconnectAsync();

        await _h.Db.ConnectAsync(_h.Connector, SyncHarness.Options with { IncludeDefaultStreams = false });
        var without = await _h.Server.NextStreamAsync();
        Assert.That(without.Request.GetProperty("streams").GetProperty("include_defaults").GetBoolean(), Is.False);
        without.Send(StreamsCheckpoint(1, ""), Complete(1));
        await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.ForStream("global") is null), "the default stream to be dropped once no checkpoint lists it");
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test", n => n == 0, "its bucket's rows to go with it");
    }

    [Test]
    public async Task A_higher_priority_stream_syncs_before_the_rest_of_the_checkpoint()
    {
        var urgent = await _h.Db.SyncStream("urgent").SubscribeAsync(priority: 1);
        var later = await _h.Db.SyncStream("later").SubscribeAsync();
        var stream = await _h.ConnectAsync();
        Assert.That(Subscriptions(stream), Is.EqualTo(new[] { ("urgent", "null", "1"), ("later", "null", "null") }));

        var a = Put(1, "a", """{"description":"urgent"}""");
        var b = Put(2, "b", """{"description":"later"}""");
        stream.Send(
            StreamsCheckpoint(2, Stream("urgent", false) + "," + Stream("later", false), BucketFor("urgent", [a], 1, "{\"sub\":0}"), BucketFor("later", [b], 3, "{\"sub\":1}")),
            Data("urgent", a), Partial(2, 1));
        await Eventually.WithTimeout(urgent.WaitForFirstSyncAsync(), "the priority-1 stream");
        Assert.That(_h.Db.CurrentStatus.ForStream("later")!.HasSynced, Is.False, "the priority-3 stream waits for the full checkpoint");
        Assert.That(_h.Db.CurrentStatus.ForStream("later")!.Priority, Is.EqualTo(3));

        stream.Send(Data("later", b), Complete(2));
        await Eventually.WithTimeout(later.WaitForFirstSyncAsync(), "the priority-3 stream");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("a", (string?)"urgent"), ("b", "later") }));
    }

    [Test]
    public async Task A_stream_the_service_lacks_or_cannot_resolve_fails_its_wait_with_a_clear_error()
    {
        var unknown = await _h.Db.SyncStream("no_such_stream").SubscribeAsync();
        var invalid = await _h.Db.SyncStream("todos", new Dictionary<string, object?> { ["list"] = 42 }).SubscribeAsync();
        var stream = await _h.ConnectAsync();
        stream.Send(StreamsCheckpoint(0, Stream("todos", false, """{"subscription":1,"message":"Error evaluating bucket ids: list must be text"}""")), Complete(0));

        var missing = Assert.ThrowsAsync<PowerSyncClientException>(() => Eventually.WithTimeout(unknown.WaitForFirstSyncAsync(), "the unknown stream's wait to fail"));
        Assert.That(missing!.Code, Is.EqualTo(ClientErrorCodes.StreamSubscriptionFailed));
        Assert.That(missing.Message, Does.Contain("no stream named 'no_such_stream'"));
        var rejected = Assert.ThrowsAsync<PowerSyncClientException>(() => Eventually.WithTimeout(invalid.WaitForFirstSyncAsync(), "the invalid subscription's wait to fail"));
        Assert.That(rejected!.Code, Is.EqualTo(ClientErrorCodes.StreamSubscriptionFailed));
        Assert.That(rejected.Message, Does.Contain("stream 'todos' (with parameters {\"list\":42})").And.Contain("list must be text"));
        Assert.That(_h.Db.CurrentStatus.ForStream("todos", new Dictionary<string, object?> { ["list"] = 42 })!.Error, Is.Not.Null);
    }

    [Test]
    public async Task Each_distinct_subscription_error_is_logged_once_as_a_warning()
    {
        var log = new PowerSync.Tests.Infrastructure.ListLogger();
        await _h.DisposeAsync();
        _h = await SyncHarness.StartAsync(logger: log);
        await _h.Db.SyncStream("no_such_stream").SubscribeAsync();
        var parameters = new Dictionary<string, object?> { ["list"] = 42 };
        await _h.Db.SyncStream("todos", parameters).SubscribeAsync();
        var stream = await _h.ConnectAsync();

        string Failing(string message) => Stream("todos", false, "{\"subscription\":1,\"message\":\"" + message + "\"}");
        stream.Send(StreamsCheckpoint(0, Failing("list must be text")), Complete(0));
        stream.Send(StreamsCheckpoint(0, Failing("list must be text")), Complete(0));
        stream.Send(StreamsCheckpoint(0, Failing("list is required")), Complete(0));
        await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.ForStream("todos", parameters)?.Error?.Message.Contains("list is required") == true),
            "the third checkpoint's error");

        var warnings = log.Entries.Where(e => e.EventId == 9107).ToList();
        Assert.That(warnings.Select(w => w.Level), Is.All.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.That(warnings, Has.Count.EqualTo(3), string.Join("\n", warnings.Select(w => w.Message)));
        Assert.That(warnings.Count(w => w.Message.Contains("no stream named 'no_such_stream'")), Is.EqualTo(1), "the missing stream, once over three checkpoints");
        Assert.That(warnings.Count(w => w.Message.Contains("'todos'") && w.Message.Contains("list must be text")), Is.EqualTo(1), "a repeated error, once");
        Assert.That(warnings.Count(w => w.Message.Contains("'todos'") && w.Message.Contains("list is required")), Is.EqualTo(1), "a new error, logged");
        Assert.That(warnings.All(w => w.Message.Contains(ClientErrorCodes.StreamSubscriptionFailed)), "the code is in the line");
    }

    [Test]
    public void Invalid_subscribe_options_are_rejected_with_every_problem()
    {
        var e = Assert.ThrowsAsync<PowerSyncClientException>(() => _h.Db.SyncStream("todos").SubscribeAsync(ttl: TimeSpan.Zero, priority: 4));
        Assert.That(e!.Code, Is.EqualTo(ClientErrorCodes.InvalidOptions));
        Assert.That(e.Message, Does.Contain("TTL").And.Contain("priority is 4"));
        Assert.Throws<PowerSyncClientException>(() => _h.Db.SyncStream(" "));
    }

    [Test]
    public async Task UnsubscribeAll_drops_the_subscription_from_the_request_at_once()
    {
        var subscription = await _h.Db.SyncStream("todos", ListL1).SubscribeAsync();
        var first = await _h.ConnectAsync();
        Assert.That(Subscriptions(first), Has.Count.EqualTo(1));

        await _h.Db.SyncStream("todos", ListL1).UnsubscribeAllAsync();
        var second = await _h.Server.NextStreamAsync();
        Assert.That(Subscriptions(second), Is.Empty);
        await subscription.UnsubscribeAsync();
        Assert.That(await _h.Db.GetAllAsync<long>("SELECT count(*) FROM ps_stream_subscriptions"), Is.EqualTo(new[] { 0L }), "never active, so forgotten at once");
    }
}
