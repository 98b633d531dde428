using NUnit.Framework;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>Reopening the same file after the process stopped at awkward points.</summary>
[TestFixture]
public sealed class CrashRecoveryTests
{
    private SyncHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await SyncHarness.StartAsync();

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task Stopping_mid_download_reopens_without_a_partial_checkpoint_and_resumes_from_stored_positions()
    {
        var a1 = Put(1, "a1", """{"id":"a1","description":"A"}""");
        var b2 = Put(2, "b2", """{"id":"b2","description":"B"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(2, null, Bucket("a", Sum(a1), 1), Bucket("b", Sum(b2), 1)), Data("a", a1));
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM ps_oplog", n => n == 1, "bucket a's data to be stored");
        await _h.Db.DisposeAsync();

        var reopened = await _h.Context.OpenAsync(SyncHarness.TestSchema);
        Assert.That(await SyncHarness.RowsAsync(reopened), Is.Empty, "half a checkpoint is never visible");
        await reopened.ConnectAsync(_h.Connector, SyncHarness.Options);
        var resumed = await _h.Server.NextStreamAsync();
        Assert.That(resumed.BucketPositions(), Is.EqualTo(new Dictionary<string, string> { ["a"] = "1" }));

        resumed.Send(Checkpoint(2, null, Bucket("a", Sum(a1), 1), Bucket("b", Sum(b2), 1)), Data("b", b2), Complete(2));
        await Eventually.WithTimeout(reopened.WaitForFirstSyncAsync(), "the resumed sync");
        Assert.That(await SyncHarness.RowsAsync(reopened), Is.EqualTo(new[] { ("a1", (string?)"A"), ("b2", "B") }));
    }

    [Test]
    public async Task Stopping_after_the_queue_drained_but_before_the_write_checkpoint_does_not_block_downloads()
    {
        // The state sqlite-core#162 describes: the gate waits for a write checkpoint, the queue is empty.
        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('uploaded', 'before the crash')");
        await _h.Db.ExecuteAsync("DELETE FROM ps_crud");
        Assert.That(await _h.Db.GetAsync<long>("SELECT coalesce((SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0)"), Is.EqualTo(long.MaxValue));
        await _h.Db.DisposeAsync();

        var reopened = await _h.Context.OpenAsync(SyncHarness.TestSchema);
        _h.Server.WriteCheckpoint = 4;
        await reopened.ConnectAsync(_h.Connector, SyncHarness.Options);
        var stream = await _h.Server.NextStreamAsync();
        var row = Put(1, "uploaded", """{"id":"uploaded","description":"server copy"}""");
        stream.Send(Checkpoint(1, "4", Bucket("a", Sum(row), 1)), Data("a", row), Complete(1));

        await Eventually.WithTimeout(reopened.WaitForFirstSyncAsync(), "the checkpoint to apply");
        Assert.That(await SyncHarness.RowsAsync(reopened), Is.EqualTo(new[] { ("uploaded", (string?)"server copy") }));
    }

    [Test]
    public async Task An_upload_interrupted_before_CompleteAsync_is_uploaded_again_after_reopening()
    {
        var uploadedOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Connector.Upload = async (db, ct) =>
        {
            var tx = await db.GetNextCrudTransactionAsync(ct);
            _h.Connector.Uploaded.Enqueue(tx!);
            uploadedOnce.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // "crash" before CompleteAsync
        };
        await _h.Db.ExecuteAsync("INSERT INTO test(id, description) VALUES('w', 'write')");
        await _h.Db.ConnectAsync(_h.Connector, SyncHarness.Options);
        await Eventually.WithTimeout(uploadedOnce.Task, "the first upload");
        await _h.Db.DisposeAsync();

        var reopened = await _h.Context.OpenAsync(SyncHarness.TestSchema);
        _h.Connector.Upload = null;
        await reopened.ConnectAsync(_h.Connector, SyncHarness.Options);
        await Eventually.UntilAsync(reopened, "SELECT count(*) FROM ps_crud", n => n == 0, "the second upload");

        Assert.That(_h.Connector.Uploaded.Select(t => t.Entries.Single().Id), Is.EqualTo(new[] { "w", "w" }), "at-least-once: the backend sees the write again");
        Assert.That(await SyncHarness.RowsAsync(reopened), Is.EqualTo(new[] { ("w", (string?)"write") }));
    }
}
