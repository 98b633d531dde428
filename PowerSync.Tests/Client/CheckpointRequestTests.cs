using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Client;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>
/// Checkpoint-request mode against a scripted service: the counter confirmed on connect, ids allocated
/// per drained upload queue and used as the gate, stale answers, restarts, re-posts and the fallback.
/// </summary>
[TestFixture]
public sealed class CheckpointRequestTests
{
    private const string TargetSql = "SELECT coalesce((SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0)";
    private const string LastAppliedSql = "SELECT coalesce((SELECT value FROM ps_kv WHERE key = 'last_applied_checkpoint_request_id'), 0)";

    private static readonly PowerSyncConnectionOptions Requests = SyncHarness.Options with { CheckpointMode = CheckpointMode.Requests };

    private ClientTestContext _ctx = null!;
    private LoopbackSyncServer _server = null!;
    private TestConnector _connector = null!;
    private ManualTimeProvider _time = null!;
    private ListLogger _log = null!;
    private readonly List<PowerSyncDatabase> _opened = [];

    [SetUp]
    public void SetUp()
    {
        _ctx = new ClientTestContext();
        _server = new LoopbackSyncServer { ServeCheckpointRequests = true };
        _connector = new TestConnector(_server.Endpoint);
        _time = new ManualTimeProvider();
        _log = new ListLogger();
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var db in _opened) await db.DisposeAsync();
        await _server.DisposeAsync();
        await _ctx.DisposeAsync();
    }

    private async Task<PowerSyncDatabase> OpenAsync()
    {
        var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = _ctx.DatabasePath,
            Schema = SyncHarness.TestSchema,
            WatchThrottle = TimeSpan.FromMilliseconds(5),
            Logger = _log,
        }, null, _time, CancellationToken.None);
        _opened.Add(db);
        return db;
    }

    private async Task<ScriptedStream> ConnectSyncedAsync(PowerSyncDatabase db, PowerSyncConnectionOptions options)
    {
        await db.ConnectAsync(_connector, options);
        var stream = await _server.NextStreamAsync();
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(db.WaitForFirstSyncAsync(), "the first sync");
        return stream;
    }

    [Test]
    public async Task Connecting_confirms_the_counter_and_each_upload_posts_the_next_id_which_gates_downloads()
    {
        _server.StoredCheckpointRequestId = 41; // the service remembers this client from an earlier install
        var db = await OpenAsync();
        var stream = await ConnectSyncedAsync(db, Requests);
        Assert.That(_server.PostedCheckpointRequests, Is.EqualTo(new[] { 1L }), "a fresh database confirms id 1; the service answers 41");

        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 42, "the accepted checkpoint request to become the gate");
        Assert.That(_server.PostedCheckpointRequests, Is.EqualTo(new[] { 1L, 42L }));
        Assert.That(_server.WriteCheckpointRequests, Is.Empty, "no legacy write checkpoint");

        // A checkpoint whose write checkpoint (41) predates the request does not overwrite the local write.
        var t1 = Put(1, "t1", """{"id":"t1","description":"server"}""");
        stream.Send(Diff(1, "41", [Bucket("a", Sum(t1), 1)]), Data("a", t1), Complete(1));
        await Eventually.UntilAsync(db, "SELECT last_op FROM ps_buckets WHERE name = 'a'", n => n == 1, "the checkpoint to be validated");
        Assert.That(await SyncHarness.RowsAsync(db), Is.EqualTo(new[] { ("mine", (string?)"local") }));

        // The checkpoint that acknowledges request 42 carries the write: local state equals the server's.
        var mine = Put(2, "mine", """{"id":"mine","description":"local (server)"}""");
        stream.Send(Diff(2, "42", [Bucket("a", Sum(t1, mine), 2)]), Data("a", mine), Complete(2));
        await Eventually.UntilAsync(db, LastAppliedSql, n => n == 42, "request 42 to be applied");
        Assert.That(await SyncHarness.RowsAsync(db), Is.EqualTo(new[] { ("mine", (string?)"local (server)"), ("t1", "server") }));
    }

    [Test]
    public async Task A_stale_answer_moves_the_counter_past_the_services_id_before_the_gate_is_set()
    {
        var db = await OpenAsync();
        await ConnectSyncedAsync(db, Requests);
        _server.StoredCheckpointRequestId = 100; // e.g. another install with this client id advanced it

        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 101, "a fresh id past the service's");

        Assert.That(_server.PostedCheckpointRequests, Is.EqualTo(new[] { 1L, 2L, 101L }), "id 2 was stale (answered 100), so 100 — recorded before the upload — is never the gate");
        Assert.That(_log.Entries.Count(e => e.EventId == 9003), Is.EqualTo(1));
    }

    [Test]
    public async Task A_restart_with_an_unacknowledged_request_posts_it_again_and_converges_and_ids_keep_growing()
    {
        var db = await OpenAsync();
        await ConnectSyncedAsync(db, Requests);
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 2, "request 2 to become the gate");
        await db.DisposeAsync();
        _server.StoredCheckpointRequestId = 0; // the service lost its record meanwhile

        db = await OpenAsync();
        Assert.That(await db.GetAsync<long>(TargetSql), Is.EqualTo(2), "the gate survives the restart");
        await db.ConnectAsync(_connector, Requests);
        var stream = await _server.NextStreamAsync();
        Assert.That(_server.PostedCheckpointRequests, Is.EqualTo(new[] { 1L, 2L, 2L }), "connecting posts the unacknowledged request again");
        Assert.That(_server.StoredCheckpointRequestId, Is.EqualTo(2), "which restores the service's record");

        // The first checkpoint after the restart does not include the write: it is validated, not applied.
        var t0 = Put(1, "t0", """{"id":"t0","description":"server"}""");
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(t0), 1)), Data("a", t0), Complete(1));
        await Eventually.UntilAsync(db, "SELECT last_op FROM ps_buckets WHERE name = 'a'", n => n == 1, "the checkpoint to be validated");
        Assert.That(await SyncHarness.RowsAsync(db), Is.EqualTo(new[] { ("mine", (string?)"local") }));

        var mine = Put(2, "mine", """{"id":"mine","description":"server"}""");
        stream.Send(Diff(2, "2", [Bucket("a", Sum(t0, mine), 2)]), Data("a", mine), Complete(2));
        await Eventually.UntilAsync(db, LastAppliedSql, n => n == 2, "request 2 to be applied");
        Assert.That(await SyncHarness.RowsAsync(db), Is.EqualTo(new[] { ("mine", (string?)"server"), ("t0", "server") }));

        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('next', 'later')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 3, "the next request");
        Assert.That(_server.PostedCheckpointRequests, Is.EqualTo(new[] { 1L, 2L, 2L, 3L }));
    }

    [Test]
    public async Task An_unacknowledged_request_is_posted_again_after_the_retry_delay_without_a_new_id()
    {
        var db = await OpenAsync();
        var stream = await ConnectSyncedAsync(db, Requests);
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 2, "request 2 to become the gate");
        var posted = _server.PostedCheckpointRequests.Count;

        // Each turn: move the clock by the retry delay, then wait until the loop has armed its next timer.
        for (var turn = 0; turn < 4 && _server.PostedCheckpointRequests.Count == posted; turn++)
        {
            var timers = _time.TimersCreated;
            _time.Advance(Requests.CheckpointRequestRetryDelay);
            await _time.WaitForTimersCreatedAsync(timers + 1);
        }

        Assert.That(_server.PostedCheckpointRequests.Skip(posted), Is.EqualTo(new[] { 2L }), "the same id is posted again");
        Assert.That(await db.GetAsync<long>("SELECT value FROM ps_kv WHERE key = 'last_requested_checkpoint_request_id'"), Is.EqualTo(2), "no id was allocated for it");

        // Once the stream acknowledges it, nothing is posted any more.
        var mine = Put(1, "mine", """{"id":"mine","description":"local"}""");
        stream.Send(Diff(1, "2", [Bucket("a", Sum(mine), 1)]), Data("a", mine), Complete(1));
        await Eventually.UntilAsync(db, LastAppliedSql, n => n == 2, "request 2 to be applied");
        posted = _server.PostedCheckpointRequests.Count;
        for (var turn = 0; turn < 3; turn++)
        {
            var timers = _time.TimersCreated;
            _time.Advance(Requests.CheckpointRequestRetryDelay);
            await _time.WaitForTimersCreatedAsync(timers + 1);
        }

        Assert.That(_server.PostedCheckpointRequests.Count, Is.EqualTo(posted));
    }

    [Test]
    public async Task A_custom_write_checkpoint_from_the_backend_is_the_gate_and_never_posted_as_a_request()
    {
        _connector.Upload = async (database, ct) =>
        {
            var tx = await database.GetNextCrudTransactionAsync(ct);
            if (tx is not null) await tx.CompleteAsync("500", ct);
        };
        var db = await OpenAsync();
        await ConnectSyncedAsync(db, Requests);
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 500, "the custom write checkpoint to become the gate");

        for (var turn = 0; turn < 3; turn++)
        {
            var timers = _time.TimersCreated;
            _time.Advance(Requests.CheckpointRequestRetryDelay);
            await _time.WaitForTimersCreatedAsync(timers + 1);
        }

        Assert.That(_server.PostedCheckpointRequests, Is.EqualTo(new[] { 1L }), "only the connection's confirmation");
    }

    [Test]
    public async Task A_service_without_checkpoint_requests_falls_back_to_legacy_write_checkpoints_with_a_warning()
    {
        _server.ServeCheckpointRequests = false;
        _server.WriteCheckpoint = 5;
        var db = await OpenAsync();
        var stream = await ConnectSyncedAsync(db, Requests);
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 5, "the legacy write checkpoint to become the gate");

        var mine = Put(1, "mine", """{"id":"mine","description":"server"}""");
        stream.Send(Diff(1, "5", [Bucket("a", Sum(mine), 1)]), Data("a", mine), Complete(1));
        await Eventually.UntilAsync(db, LastAppliedSql, n => n == 5, "the write checkpoint to be applied");
        Assert.That(await SyncHarness.RowsAsync(db), Is.EqualTo(new[] { ("mine", (string?)"server") }));

        // A reconnect does not probe again in this session.
        stream.End();
        var second = await _server.NextStreamAsync();
        Assert.That(second, Is.Not.SameAs(stream));
        Assert.That(_server.PostedCheckpointRequests, Is.EqualTo(new[] { 1L }), "one probe");
        Assert.That(_server.WriteCheckpointRequests, Has.Count.EqualTo(1));
        var warnings = _log.Entries.Where(e => e.EventId == 9001).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0].Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warnings[0].Message, Does.Contain("/sync/checkpoint-request").And.Contain("CheckpointMode = Legacy"));
    }

    [Test]
    public async Task Legacy_mode_never_posts_checkpoint_requests()
    {
        _server.WriteCheckpoint = 3;
        var db = await OpenAsync();
        await ConnectSyncedAsync(db, SyncHarness.Options with { CheckpointMode = CheckpointMode.Legacy });
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await Eventually.UntilAsync(db, TargetSql, n => n == 3, "the legacy write checkpoint");

        Assert.That(_server.PostedCheckpointRequests, Is.Empty);
        Assert.That(_server.WriteCheckpointRequests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_database_with_the_older_local_gate_row_keeps_its_gate_in_ps_kv()
    {
        var db = await OpenAsync();
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");
        await db.DisposeAsync();
        using (var raw = new SqliteConnection("Data Source=" + _ctx.DatabasePath + ";Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = """
                DELETE FROM ps_kv WHERE key != 'client_id';
                INSERT INTO ps_buckets(name, last_applied_op, last_op, target_op) VALUES('$local', 2, 3, 9223372036854775807);
                """;
            cmd.ExecuteNonQuery();
        }

        db = await OpenAsync();

        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM ps_buckets WHERE name = '$local'"), Is.Zero);
        Assert.That(await db.GetAsync<long>(TargetSql), Is.EqualTo(long.MaxValue));
        Assert.That(await db.GetAsync<long>("SELECT value FROM ps_kv WHERE key = 'last_seen_checkpoint_request_id'"), Is.EqualTo(3));
        Assert.That(await db.GetAsync<long>(LastAppliedSql), Is.EqualTo(2));
    }

    [Test]
    public void A_retry_delay_under_ten_seconds_is_rejected()
    {
        var error = Assert.ThrowsAsync<PowerSyncClientException>(async () =>
        {
            var db = await OpenAsync();
            await db.ConnectAsync(_connector, Requests with { CheckpointRequestRetryDelay = TimeSpan.FromSeconds(1) });
        });

        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.InvalidOptions));
        Assert.That(error.Message, Does.Contain("CheckpointRequestRetryDelay"));
    }

    [Test]
    public void An_undefined_checkpoint_mode_is_rejected()
    {
        var error = Assert.ThrowsAsync<PowerSyncClientException>(async () =>
        {
            var db = await OpenAsync();
            await db.ConnectAsync(_connector, Requests with { CheckpointMode = (CheckpointMode)7 });
        });

        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.InvalidOptions));
        Assert.That(error.Message, Does.Contain("CheckpointMode 7").And.Contain("Requests or Legacy"));
    }
}
