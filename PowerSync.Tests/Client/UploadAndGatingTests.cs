using NUnit.Framework;
using PowerSync.Client;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>Uploads, write checkpoints, and the gate that keeps local writes until the server has them.</summary>
[TestFixture]
public sealed class UploadAndGatingTests
{
    private SyncHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await SyncHarness.StartAsync();

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private async Task<ScriptedStream> SyncedEmptyAsync()
    {
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");
        return stream;
    }

    [Test]
    public async Task A_write_after_a_quiet_period_uploads_at_once_without_waiting_for_the_upload_throttle()
    {
        await _h.Db.ConnectAsync(_h.Connector, SyncHarness.Options with { CrudUploadThrottle = TimeSpan.FromHours(1) });
        var stream = await _h.Server.NextStreamAsync();
        stream.Send(Checkpoint(0, null, Bucket("a", 0, 0)), Complete(0));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('now', 'first write')");

        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM ps_crud", n => n == 0, "the write to upload (the throttle only spaces later rounds)");
        Assert.That(_h.Connector.Uploaded.Select(t => t.Entries.Single().Id), Is.EqualTo(new[] { "now" }));
    }

    [Test]
    public async Task Local_writes_are_not_overwritten_by_a_checkpoint_that_does_not_include_them()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Connector.Upload = async (db, ct) =>
        {
            await release.Task.WaitAsync(ct);
            await _h.Connector.UploadNextAsync(db, ct);
        };
        var stream = await SyncedEmptyAsync();
        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'local')");

        // The server has an unrelated change, but not the local write yet.
        var t1 = Put(1, "t1", """{"id":"t1","description":"server"}""");
        stream.Send(Diff(1, null, [Bucket("a", Sum(t1), 1)]), Data("a", t1), Complete(1));
        await Eventually.UntilAsync(_h.Db, "SELECT last_op FROM ps_buckets WHERE name = 'a'", n => n == 1, "the checkpoint to be validated");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("mine", (string?)"local") }), "held back while the upload is pending");

        // The upload completes; the write checkpoint (7) is requested, but the held checkpoint predates it.
        _h.Server.WriteCheckpoint = 7;
        release.SetResult();
        await Eventually.UntilAsync(_h.Db, "SELECT coalesce((SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0)", n => n == 7, "the write checkpoint to become the target");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("mine", (string?)"local") }), "a checkpoint before the write checkpoint is still not applied");

        // The server's checkpoint that includes the write (write_checkpoint 7) is applied, with the server's version.
        var mine = Put(2, "mine", """{"id":"mine","description":"local (server)"}""");
        stream.Send(Diff(2, "7", [Bucket("a", Sum(t1, mine), 2)]), Data("a", mine), Complete(2));
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test", n => n == 2, "the checkpoint with the write to apply");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("mine", (string?)"local (server)"), ("t1", "server") }));
        Assert.That(_h.Server.WriteCheckpointRequests.Single(), Is.EqualTo(await _h.Db.GetClientIdAsync()));
        Assert.That(_h.Connector.Uploaded.Single().Entries.Single().Id, Is.EqualTo("mine"));
    }

    [Test]
    public async Task A_write_the_backend_rejects_is_reverted_to_the_server_state()
    {
        _h.Server.WriteCheckpoint = 3;
        var stream = await SyncedEmptyAsync();
        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('rejected', 'nope')");
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM ps_crud", n => n == 0, "the upload to complete");
        await Eventually.UntilAsync(_h.Db, "SELECT coalesce((SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0)", n => n == 3, "the write checkpoint");

        stream.Send(Diff(1, "3", [Bucket("a", 0, 0)]), Complete(1));
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test", n => n == 0, "the rejected row to disappear");

        Assert.That(await _h.RowsAsync(), Is.Empty);
    }

    [Test]
    public async Task A_failed_upload_is_retried_with_backoff_without_a_new_local_write()
    {
        var attempts = 0;
        _h.Connector.Upload = async (db, ct) =>
        {
            if (Interlocked.Increment(ref attempts) <= 2) throw new HttpRequestException("backend down");
            await _h.Connector.UploadNextAsync(db, ct);
        };
        await SyncedEmptyAsync();

        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('x', 'once')");
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM ps_crud", n => n == 0, "the retried upload to drain the queue");

        Assert.That(attempts, Is.EqualTo(3));
        Assert.That(_h.Connector.Uploaded.Single().Entries.Single().Id, Is.EqualTo("x"));
        await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.UploadError is null && !s.Uploading), "the upload error to clear");
    }

    [Test]
    public async Task The_upload_retry_delay_starts_over_after_every_upload_that_succeeds()
    {
        // Uploads alternate: fail, succeed, fail, succeed... with four writes queued, so the queue never
        // empties between failures (as under steady writes). Each retry must wait the first delay again.
        var time = new ManualTimeProvider();
        // Legacy write checkpoints: the request mode's re-post loop would arm timers of its own on the clock.
        var options = SyncHarness.Options with { RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(60), CheckpointMode = CheckpointMode.Legacy };
        var calls = 0;
        var failing = false;
        _h.Connector.Upload = async (db, ct) =>
        {
            if (Interlocked.Increment(ref calls) % 2 == 1 || failing) throw new HttpRequestException("backend hiccup");
            await _h.Connector.UploadNextAsync(db, ct);
        };
        await using var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = Path.Combine(_h.Context.Folder, "manual-clock.db"),
            Schema = SyncHarness.TestSchema,
        }, null, time, CancellationToken.None);
        for (var i = 0; i < 4; i++) await db.ExecuteAsync("INSERT INTO test(id, description) VALUES(?, 'steady')", [$"w{i}"]);
        await db.ConnectAsync(_h.Connector, options);

        // Jitter is +-20 %: the first delay is at most 1.2 s, the second after failures in a row at least 1.6 s.
        var first = TimeSpan.FromSeconds(1.2);
        for (var failure = 1; failure <= 4; failure++)
        {
            await time.WaitForTimersCreatedAsync(failure);
            var delay = time.DueTimes[failure - 1];
            Assert.That(delay, Is.LessThanOrEqualTo(first), $"retry delay after failure {failure}, each after a successful upload");
            time.Advance(delay);
        }
        await Eventually.UntilAsync(db, "SELECT count(*) FROM ps_crud", n => n == 0, "the queue to drain");
        Assert.That(_h.Connector.Uploaded.Select(t => t.Entries.Single().Id), Is.EqualTo(new[] { "w0", "w1", "w2", "w3" }));

        // Failures in a row, with no upload between them, still back off: 1 s, 2 s, 4 s (+-20 %).
        failing = true;
        await db.ExecuteAsync("INSERT INTO test(id, description) VALUES('w4', 'down')");
        for (var failure = 0; failure < 3; failure++)
        {
            await time.WaitForTimersCreatedAsync(5 + failure);
            var delay = time.DueTimes[4 + failure];
            var expected = TimeSpan.FromSeconds(Math.Pow(2, failure));
            Assert.That(delay, Is.InRange(expected * 0.8, expected * 1.2), $"delay after {failure + 1} failures in a row");
            time.Advance(delay);
        }
        await db.DisconnectAsync();
    }

    [Test]
    public async Task A_connector_that_does_not_complete_gets_an_error_instead_of_a_duplicate_upload_loop()
    {
        var calls = 0;
        _h.Connector.Upload = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.CompletedTask;
        };
        await SyncedEmptyAsync();
        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('x', 'stuck')");

        var status = await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.UploadError is not null), "the upload error");

        Assert.That(status.UploadError, Is.TypeOf<PowerSyncClientException>().With.Property("Code").EqualTo(ClientErrorCodes.UploadNotCompleted));
        Assert.That((await _h.Db.GetUploadQueueStatsAsync()).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Writes_left_after_a_restart_are_uploaded_when_connecting()
    {
        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('offline', 'written offline')");
        _h.Server.WriteCheckpoint = 1;

        await _h.Db.ConnectAsync(_h.Connector, SyncHarness.Options);
        var stream = await _h.Server.NextStreamAsync();
        await Eventually.UntilAsync(_h.Db, "SELECT coalesce((SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0)", n => n == 1, "upload and write checkpoint");

        Assert.That(_h.Connector.Uploaded.Single().Entries.Single().Id, Is.EqualTo("offline"));
        Assert.That(stream.BucketPositions().Keys, Has.None.EqualTo("$local"), "the local gate is never sent as a bucket (sqlite-core#54)");
    }

    [Test]
    public async Task A_priority_zero_checkpoint_applies_even_while_local_writes_are_pending()
    {
        _h.Connector.Upload = (_, ct) => Task.Delay(Timeout.Infinite, ct);
        var stream = await _h.ConnectAsync();
        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('mine', 'pending')");

        var urgent = Put(1, "urgent", """{"id":"urgent","description":"p0"}""");
        var normal = Put(2, "normal", """{"id":"normal","description":"p3"}""");
        stream.Send(Checkpoint(2, null, Bucket("p0", Sum(urgent), 1, priority: 0), Bucket("p3", Sum(normal), 1)),
            Data("p0", urgent), Partial(2, 0), Data("p3", normal), Complete(2));
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test WHERE id = 'urgent'", n => n == 1, "the priority-0 rows");
        await Eventually.UntilAsync(_h.Db, "SELECT last_op FROM ps_buckets WHERE name = 'p3'", n => n == 2, "the full checkpoint to be validated");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("mine", (string?)"pending"), ("urgent", "p0") }), "the full checkpoint waits for the upload");
        Assert.That(_h.Db.CurrentStatus.StatusForPriority(0).HasSynced, Is.True);
        Assert.That(_h.Db.CurrentStatus.HasSynced, Is.False);
    }
}
