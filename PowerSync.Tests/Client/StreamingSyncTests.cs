using NUnit.Framework;
using PowerSync.Client;
using static PowerSync.Tests.Client.SyncLines;

namespace PowerSync.Tests.Client;

/// <summary>The sync engine against real protocol lines over loopback HTTP.</summary>
[TestFixture]
public sealed class StreamingSyncTests
{
    private SyncHarness _h = null!;

    [SetUp]
    public async Task SetUp() => _h = await SyncHarness.StartAsync();

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task Initial_sync_applies_the_official_snapshot_sync_global_data()
    {
        var stream = await _h.ConnectAsync();
        // modules/module-postgres-storage/test/src/__snapshots__/storage_sync.test.ts.snap, "sync global data 1".
        stream.Send(
            """{"checkpoint":{"buckets":[{"bucket":"mybucket[]","checksum":-93886621,"count":2,"priority":3,"subscriptions":[{"default":0}]}],"last_op_id":"2","streams":[{"errors":[],"is_default":true,"name":"mybucket"}]}}""",
            """{"data":{"after":"0","bucket":"mybucket[]","data":[{"checksum":920318466,"data":"{\"id\":\"t1\",\"description\":\"Test 1\"}","object_id":"t1","object_type":"test","op":"PUT","op_id":"1","subkey":"02d285ac-4f96-5124-8fba-c6d1df992dd1"},{"checksum":3280762209,"data":"{\"id\":\"t2\",\"description\":\"Test 2\"}","object_id":"t2","object_type":"test","op":"PUT","op_id":"2","subkey":"a17e6883-d5d2-599d-a805-d60528127dbd"}],"has_more":false,"next_after":"2"}}""",
            """{"checkpoint_complete":{"last_op_id":"2"}}""");

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"Test 1"), ("t2", "Test 2") }));
        Assert.That(_h.Db.CurrentStatus.LastSyncedAt, Is.Not.Null);
        Assert.That(_h.Server.AuthorizationHeaders, Does.Contain("Token token-1"));
        Assert.That(stream.Request.GetProperty("client_id").GetString(), Is.EqualTo(await _h.Db.GetClientIdAsync()));
        Assert.That(stream.Request.GetProperty("raw_data").GetBoolean(), Is.True);
        Assert.That(stream.BucketPositions(), Is.Empty);
    }

    [Test]
    public async Task Compaction_clear_then_checkpoint_diff_from_the_official_snapshot_converges()
    {
        var stream = await _h.ConnectAsync();
        // "compacting data - invalidate checkpoint" 1 and 2.
        stream.Send(
            """{"checkpoint":{"buckets":[{"bucket":"mybucket[]","checksum":-93886621,"count":2,"priority":3,"subscriptions":[{"default":0}]}],"last_op_id":"2","streams":[{"errors":[],"is_default":true,"name":"mybucket"}]}}""",
            """{"data":{"after":"0","bucket":"mybucket[]","data":[{"checksum":-93886621,"op":"CLEAR","op_id":"2"}],"has_more":false,"next_after":"2"}}""",
            """{"checkpoint_diff":{"last_op_id":"4","removed_buckets":[],"updated_buckets":[{"bucket":"mybucket[]","checksum":499012468,"count":4,"priority":3,"subscriptions":[{"default":0}]}]}}""",
            """{"data":{"after":"2","bucket":"mybucket[]","data":[{"checksum":1859363232,"data":"{\"id\":\"t1\",\"description\":\"Test 1b\"}","object_id":"t1","object_type":"test","op":"PUT","op_id":"3","subkey":"02d285ac-4f96-5124-8fba-c6d1df992dd1"},{"checksum":3028503153,"data":"{\"id\":\"t2\",\"description\":\"Test 2b\"}","object_id":"t2","object_type":"test","op":"PUT","op_id":"4","subkey":"a17e6883-d5d2-599d-a805-d60528127dbd"}],"has_more":false,"next_after":"4"}}""",
            """{"checkpoint_complete":{"last_op_id":"4"}}""");

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("t1", (string?)"Test 1b"), ("t2", "Test 2b") }));
        Assert.That(_h.Db.CurrentStatus.DownloadError, Is.Null);
    }

    [Test]
    public async Task Higher_priority_buckets_are_visible_before_the_full_checkpoint_completes()
    {
        var stream = await _h.ConnectAsync();
        // "sync buckets in order 1": b1 (priority 1) arrives and completes before b0 (priority 2).
        stream.Send(
            """{"checkpoint":{"buckets":[{"bucket":"b0[]","checksum":920318466,"count":1,"priority":2,"subscriptions":[{"default":0}]},{"bucket":"b1[]","checksum":-1382098757,"count":1,"priority":1,"subscriptions":[{"default":1}]}],"last_op_id":"2","streams":[{"errors":[],"is_default":true,"name":"b0"},{"errors":[],"is_default":true,"name":"b1"}]}}""",
            """{"data":{"after":"0","bucket":"b1[]","data":[{"checksum":2912868539,"data":"{\"id\":\"earlier\",\"description\":\"Test 2\"}","object_id":"earlier","object_type":"test","op":"PUT","op_id":"2","subkey":"243b0e26-87b2-578a-993c-5ac5b6f7fd64"}],"has_more":false,"next_after":"2"}}""",
            """{"partial_checkpoint_complete":{"last_op_id":"2","priority":1}}""");

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(priority: 1), "priority 1 to sync");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("earlier", (string?)"Test 2") }));
        Assert.That(_h.Db.CurrentStatus.HasSynced, Is.False);
        Assert.That(_h.Db.CurrentStatus.StatusForPriority(2).HasSynced, Is.False);

        stream.Send(
            """{"data":{"after":"0","bucket":"b0[]","data":[{"checksum":920318466,"data":"{\"id\":\"t1\",\"description\":\"Test 1\"}","object_id":"t1","object_type":"test","op":"PUT","op_id":"1","subkey":"02d285ac-4f96-5124-8fba-c6d1df992dd1"}],"has_more":false,"next_after":"1"}}""",
            """{"checkpoint_complete":{"last_op_id":"2"}}""");
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the full sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("earlier", (string?)"Test 2"), ("t1", "Test 1") }));
        Assert.That(_h.Db.CurrentStatus.StatusForPriority(2).HasSynced, Is.True);
    }

    [Test]
    public async Task A_checksum_mismatch_drops_only_the_failed_bucket_and_downloads_it_again()
    {
        var a1 = Put(1, "a1", """{"id":"a1","description":"A"}""");
        var b2 = Put(2, "b2", """{"id":"b2","description":"B"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(
            Checkpoint(2, null, Bucket("a", Sum(a1), 1), Bucket("b", Sum(b2) + 1, 1)),
            Data("a", a1), Data("b", b2), Complete(2));

        var retry = await _h.Server.NextStreamAsync();

        Assert.That(retry.BucketPositions(), Is.EqualTo(new Dictionary<string, string> { ["a"] = "1" }), "the valid bucket keeps its ops, the failed one starts over");
        Assert.That(await _h.RowsAsync(), Is.Empty, "nothing of a failed checkpoint is applied");
        var failed = await Eventually.WithTimeout(_h.Db.WaitForStatusAsync(s => s.DownloadError is not null), "the checksum error in the status");
        Assert.That(failed.DownloadError, Is.TypeOf<PowerSyncClientException>().With.Property("Code").EqualTo(ClientErrorCodes.ChecksumMismatch));
        retry.Send(Checkpoint(2, null, Bucket("a", Sum(a1), 1), Bucket("b", Sum(b2), 1)), Data("b", b2), Complete(2));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the sync after re-download");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("a1", (string?)"A"), ("b2", "B") }));
    }

    [Test]
    public async Task Incremental_diffs_update_and_remove_rows_and_a_removed_bucket_takes_its_rows_away()
    {
        var a1 = Put(1, "a1", """{"id":"a1","description":"A"}""");
        var b2 = Put(2, "b2", """{"id":"b2","description":"B"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(2, null, Bucket("a", Sum(a1), 1), Bucket("b", Sum(b2), 1)), Data("a", a1), Data("b", b2), Complete(2));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        var a3 = Put(3, "a1", """{"id":"a1","description":"A2"}""");
        var a4 = Put(4, "a4", """{"id":"a4","description":"new"}""");
        stream.Send(Diff(4, null, [Bucket("a", Sum(a1, a3, a4), 3)]), Data("a", a3, a4), Complete(4));
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test WHERE description = 'new'", n => n == 1, "the diff to apply");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("a1", (string?)"A2"), ("a4", "new"), ("b2", "B") }));

        var remove = Remove(5, "a4");
        stream.Send(Diff(5, null, [Bucket("a", Sum(a1, a3, a4, remove), 4)], "b"), Data("a", remove), Complete(5));
        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test", n => n == 1, "the removals to apply");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("a1", (string?)"A2") }));
        Assert.That(await _h.Db.GetAllAsync<string>("SELECT name FROM ps_buckets WHERE name != '$local'"), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task Ops_superseded_within_one_data_line_keep_the_bucket_checksum_and_the_last_version()
    {
        var x1 = Put(1, "x", """{"id":"x","description":"v1"}""");
        var x2 = Put(2, "x", """{"id":"x","description":"v2"}""");
        var y3 = Put(3, "y", """{"id":"y","description":"gone"}""");
        var y4 = Remove(4, "y");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(4, null, Bucket("a", Sum(x1, x2, y3, y4), 4)), Data("a", x1, x2, y3, y4), Complete(4));

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("x", (string?)"v2") }));
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_oplog"), Is.EqualTo(1), "only the live PUT is kept");
    }

    [Test]
    public async Task Ops_superseded_across_lines_of_an_initial_download_leave_one_live_op_per_key_and_exact_checksums()
    {
        var x1 = Put(1, "x", """{"id":"x","description":"v1"}""");
        var y2 = Put(2, "y", """{"id":"y","description":"first"}""");
        var x3 = Put(3, "x", """{"id":"x","description":"v2"}""");
        var y4 = Remove(4, "y");
        var y5 = Put(5, "y", """{"id":"y","description":"back"}""");
        var bx6 = Put(6, "x", """{"id":"x","description":"from b"}""");
        var stream = await _h.ConnectAsync();
        // The op log starts empty, so this download runs in bulk mode (row index dropped, supersession deferred).
        stream.Send(Checkpoint(6, null, Bucket("a", Sum(x1, y2, x3, y4, y5), 5), Bucket("b", Sum(bx6), 1)),
            Data("a", x1, y2), Data("a", x3, y4), Data("a", y5), Data("b", bx6), Complete(6));

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("x", (string?)"from b"), ("y", "back") }));
        Assert.That(await _h.Db.GetAllAsync<long>("SELECT op_id FROM ps_oplog ORDER BY op_id"), Is.EqualTo(new long[] { 3, 5, 6 }));
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_buckets b WHERE name != '$local' AND op_checksum != (SELECT coalesce(sum(hash), 0) FROM ps_oplog WHERE bucket = b.id) & 0xffffffff"),
            Is.Zero, "op_checksum holds exactly the live ops' hashes");
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM sqlite_master WHERE name = 'ps_oplog_row'"), Is.EqualTo(1), "the row index is rebuilt");
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_oplog_pending"), Is.Zero);

        // The next download finds a non-empty op log: indexed mode supersedes at once.
        var x7 = Put(7, "x", """{"id":"x","description":"v3"}""");
        var y8 = Remove(8, "y");
        stream.Send(Diff(8, null, [Bucket("a", Sum(x1, y2, x3, y4, y5, x7, y8), 7)]), Data("a", x7, y8), Complete(8));

        await Eventually.UntilAsync(_h.Db, "SELECT count(*) FROM test", n => n == 1, "the second checkpoint to apply");
        Assert.That(await _h.RowsAsync(), Is.EqualTo(new[] { ("x", (string?)"v3") }));
        Assert.That(await _h.Db.GetAllAsync<long>("SELECT op_id FROM ps_oplog ORDER BY op_id"), Is.EqualTo(new long[] { 6, 7 }));
        Assert.That(_h.Db.CurrentStatus.DownloadError, Is.Null);
    }

    [Test]
    public async Task Rows_of_types_missing_from_the_schema_wait_in_the_untyped_store_until_the_schema_has_them()
    {
        var other = Put(1, "o1", """{"id":"o1","title":"hidden"}""", type: "notes");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(1, null, Bucket("n", Sum(other), 1)), Data("n", other), Complete(1));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_untyped WHERE type = 'notes'"), Is.EqualTo(1));

        await _h.Db.DisconnectAsync();
        await _h.Db.UpdateSchemaAsync(new PowerSync.Client.Tables.Schema(
            new PowerSync.Client.Tables.Table("notes", [PowerSync.Client.Tables.Column.Text("title")])));

        Assert.That(await _h.Db.GetAsync<string>("SELECT title FROM notes WHERE id = 'o1'"), Is.EqualTo("hidden"));
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_untyped"), Is.Zero);
        Assert.That(await _h.Db.GetOptionalAsync<string>("SELECT name FROM sqlite_master WHERE name = 'test'"), Is.Null, "the dropped table's view is gone");
    }

    [Test]
    public async Task The_client_reconnects_with_backoff_after_server_errors()
    {
        _h.Server.FailNextStreams(2);
        await _h.Db.ConnectAsync(_h.Connector, SyncHarness.Options);

        var stream = await _h.Server.NextStreamAsync();
        stream.Send(Checkpoint(0, null), Complete(0));

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the sync after two failed attempts");
        Assert.That(_h.Db.CurrentStatus.Connected, Is.True);
    }

    [TestCase(0, TestName = "An_expired_token_is_fetched_again_and_the_stream_reopened_with_it")]
    [TestCase(10, TestName = "A_token_about_to_expire_is_refreshed_before_expiry_and_the_stream_reopened_with_it")]
    public async Task Token_refresh(int expiresIn)
    {
        var stream = await _h.ConnectAsync();
        stream.Send("{\"token_expires_in\":" + expiresIn + "}");

        var reopened = await _h.Server.NextStreamAsync();
        reopened.Send(Checkpoint(0, null), Complete(0));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the sync on the new stream");

        Assert.That(_h.Server.AuthorizationHeaders.Last(), Is.EqualTo("Token token-2"));
    }

    [Test]
    public async Task A_silent_stream_is_considered_dead_after_the_idle_timeout_and_reopened()
    {
        await _h.Db.ConnectAsync(_h.Connector, SyncHarness.Options with { StreamIdleTimeout = TimeSpan.FromMilliseconds(300) });
        var silent = await _h.Server.NextStreamAsync();

        var reopened = await _h.Server.NextStreamAsync();
        reopened.Send(Checkpoint(0, null), Complete(0));

        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the sync on the reopened stream");
        Assert.That(silent, Is.Not.SameAs(reopened));
    }

    [Test]
    public async Task The_client_reconnects_when_the_service_ends_the_stream_and_resumes_from_its_positions()
    {
        var a1 = Put(1, "a1", """{"id":"a1","description":"A"}""");
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(a1), 1)), Data("a", a1), Complete(1));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        stream.End();
        var reopened = await _h.Server.NextStreamAsync();

        Assert.That(reopened.BucketPositions(), Is.EqualTo(new Dictionary<string, string> { ["a"] = "1" }));
    }

    [Test]
    public async Task DisconnectAndClear_removes_synced_data_and_keeps_the_client_id()
    {
        var a1 = Put(1, "a1", """{"id":"a1","description":"A"}""");
        var clientId = await _h.Db.GetClientIdAsync();
        var stream = await _h.ConnectAsync();
        stream.Send(Checkpoint(1, null, Bucket("a", Sum(a1), 1)), Data("a", a1), Complete(1));
        await Eventually.WithTimeout(_h.Db.WaitForFirstSyncAsync(), "the first sync");

        await _h.Db.DisconnectAndClearAsync();

        Assert.That(await _h.RowsAsync(), Is.Empty);
        Assert.That(await _h.Db.GetAsync<long>("SELECT count(*) FROM ps_oplog"), Is.Zero);
        Assert.That(_h.Db.CurrentStatus.HasSynced, Is.False);
        Assert.That(_h.Db.CurrentStatus.Connected, Is.False);
        Assert.That(await _h.Db.GetClientIdAsync(), Is.EqualTo(clientId));
    }
}
