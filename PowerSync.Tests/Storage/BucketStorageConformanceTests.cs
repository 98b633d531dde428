using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Storage;

/// <summary>
/// What every bucket store must do, whatever it is built on. A store implementation runs this
/// suite by deriving from it (see <see cref="SqliteBucketStorageConformanceTests"/>).
/// </summary>
public abstract partial class BucketStorageConformanceTests
{
    /// <summary>Opens the store named <paramref name="name"/>; the same name reopens the same data.</summary>
    private protected abstract IBucketStorage OpenStorage(string name, Action<string>? faultInjection = null, int flushOps = 2000);

    private protected Task<StorageScope> StartAsync(bool snapshotDone = true) =>
        StorageScope.StartAsync(OpenStorage(TestContext.CurrentContext.Test.ID), snapshotDone);

    [Test]
    public async Task Checksums_and_data_match_the_official_service_for_known_ops()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("a", """{"id":"a","description":"Test 1"}""", "1#todos|0[\"a\"]"));
        await s.SaveAsync(Put("b", """{"id":"b","description":"Test 2"}""", "1#todos|0[\"b\"]"));
        var cp = await s.CommitAsync("0/10");

        Assert.That(cp.OpId, Is.EqualTo(new OpId(2)));
        var a = await s.ChecksumAsync(cp, "1#todos|0[\"a\"]");
        var b = await s.ChecksumAsync(cp, "1#todos|0[\"b\"]");
        Assert.That((a.WireChecksum, a.Count), Is.EqualTo((-1712802421, 1L)));
        Assert.That((b.WireChecksum, b.Count), Is.EqualTo((-1291414318, 1L)));
        var op = (await s.ReadAllAsync(cp, "1#todos|0[\"a\"]")).Single();
        Assert.That((op.OpId, op.Op, op.ObjectTypeText, op.ObjectIdText, op.DataText, op.Checksum),
            Is.EqualTo((new OpId(1), OpType.Put, "test", "a", """{"id":"a","description":"Test 1"}""", 2582164875u)));
    }

    [Test]
    public async Task Compaction_reproduces_the_official_clear_without_changing_the_checksum()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("t1", """{"id":"t1","description":"Test 1"}""", "mybucket[]"));
        await s.SaveAsync(Put("t2", """{"id":"t2","description":"Test 2"}""", "mybucket[]"));
        var first = await s.CommitAsync("0/10");
        Assert.That((await s.ChecksumAsync(first, "mybucket[]")).WireChecksum, Is.EqualTo(-93886621));

        await s.SaveAsync(Put("t1", """{"id":"t1","description":"Test 1b"}""", "mybucket[]"));
        await s.SaveAsync(Put("t2", """{"id":"t2","description":"Test 2b"}""", "mybucket[]"));
        var second = await s.CommitAsync("0/20");
        var before = await s.ChecksumAsync(second, "mybucket[]");

        var result = await s.Storage.Compactor.CompactAsync(new CompactionOptions(), default);

        var ops = await s.ReadAllAsync(second, "mybucket[]");
        Assert.That(ops.Select(o => (o.OpId.Value, o.Op)), Is.EqualTo(new[] { (2L, OpType.Clear), (3L, OpType.Put), (4L, OpType.Put) }));
        Assert.That(unchecked((int)ops[0].Checksum), Is.EqualTo(-93886621));
        var after = await s.ChecksumAsync(second, "mybucket[]");
        Assert.That(after.WireChecksum, Is.EqualTo(before.WireChecksum).And.EqualTo(499012468));
        Assert.That(after.Count, Is.EqualTo(3));
        Assert.That(result.OpsMoved, Is.EqualTo(2));
    }

    [Test]
    public async Task A_row_leaving_a_bucket_gets_a_remove_there_and_a_put_in_its_new_bucket()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", """{"id":"r1","list":"a"}""", "list[\"a\"]"));
        await s.CommitAsync("0/10");
        await s.SaveAsync(Put("r1", """{"id":"r1","list":"b"}""", "list[\"b\"]"));
        var cp = await s.CommitAsync("0/20");

        var oldBucket = await s.ReadAllAsync(cp, "list[\"a\"]");
        var newBucket = await s.ReadAllAsync(cp, "list[\"b\"]");
        Assert.That(oldBucket.Select(o => o.Op), Is.EqualTo(new[] { OpType.Put, OpType.Remove }));
        Assert.That(oldBucket[1].SubkeyText, Is.EqualTo(oldBucket[0].SubkeyText));
        Assert.That(oldBucket[1].Checksum, Is.EqualTo(OpChecksum.ForRemove(oldBucket[0].SubkeyText!)));
        Assert.That(newBucket.Select(o => (o.Op, o.DataText)), Is.EqualTo(new[] { (OpType.Put, (string?)"""{"id":"r1","list":"b"}""") }));
        Assert.That(BucketReducer.Reduce(oldBucket).Rows, Is.Empty);
    }

    [TestCase(1)]
    [TestCase(40)]
    public async Task An_inserted_row_that_was_stored_after_all_leaves_the_buckets_it_was_in_like_an_update(int newRowsAround)
    {
        // A snapshot overlapping the stream, or identical rows of a table without a key, insert a stored row:
        // among other inserted rows (new, written in the same batch), its old buckets still get their REMOVEs.
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", """{"v":1}""", "a[]", "b[]"));
        await s.CommitAsync("0/10");
        for (var i = 0; i < newRowsAround; i++) await s.SaveAsync(Insert($"n{i}", "{}", "c[]"));
        await s.SaveAsync(Insert("r1", """{"v":2}""", "a[]"));
        for (var i = newRowsAround; i < 2 * newRowsAround; i++) await s.SaveAsync(Insert($"n{i}", "{}", "c[]"));
        var cp = await s.CommitAsync("0/20");

        Assert.That((await s.ReadAllAsync(cp, "a[]")).Select(o => (o.Op, o.DataText)),
            Is.EqualTo(new[] { (OpType.Put, (string?)"""{"v":1}"""), (OpType.Put, """{"v":2}""") }));
        Assert.That((await s.ReadAllAsync(cp, "b[]")).Select(o => o.Op), Is.EqualTo(new[] { OpType.Put, OpType.Remove }));
        var c = await s.ReadAllAsync(cp, "c[]");
        Assert.That(c.Select(o => o.ObjectIdText), Is.EqualTo(Enumerable.Range(0, 2 * newRowsAround).Select(i => $"n{i}")), "the batch's other rows, once each");

        // The stored row is the inserted one now: a delete removes it from where it is, and only there.
        await s.SaveAsync(Delete("r1"));
        cp = await s.CommitAsync("0/30");
        Assert.That((await s.ReadAllAsync(cp, "a[]")).Select(o => o.Op), Is.EqualTo(new[] { OpType.Put, OpType.Put, OpType.Remove }));
        Assert.That((await s.ReadAllAsync(cp, "b[]")).Select(o => o.Op), Is.EqualTo(new[] { OpType.Put, OpType.Remove }));
    }

    [Test]
    public async Task A_stored_row_inserted_and_deleted_in_one_batch_leaves_every_bucket_it_was_in()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", "{}", "a[]"));
        await s.CommitAsync("0/10");
        await s.SaveAsync(Insert("r1", "{}", "b[]"));
        await s.SaveAsync(Delete("r1"));
        var cp = await s.CommitAsync("0/20");

        Assert.That(BucketReducer.Reduce(await s.ReadAllAsync(cp, "a[]")).Rows, Is.Empty);
        Assert.That(BucketReducer.Reduce(await s.ReadAllAsync(cp, "b[]")).Rows, Is.Empty);
    }

    [Test]
    public async Task Deleting_a_row_removes_it_from_every_bucket_it_was_in()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", "{}", "a[]", "b[]"));
        await s.SaveAsync(Delete("r1"));
        await s.SaveAsync(Delete("never-existed"));
        var cp = await s.CommitAsync("0/10");

        foreach (var bucket in new[] { "a[]", "b[]" })
            Assert.That((await s.ReadAllAsync(cp, bucket)).Select(o => o.Op), Is.EqualTo(new[] { OpType.Put, OpType.Remove }));
    }

    [Test]
    public async Task Flushed_ops_stay_invisible_until_the_commit()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", "{}", "a[]"));
        var first = await s.CommitAsync("0/10");
        await s.SaveAsync(Put("r2", "{}", "a[]"));
        await s.Writer.FlushAsync(default);

        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.EqualTo(first));
        Assert.That(await s.ReadAllAsync(first, "a[]"), Has.Count.EqualTo(1));
        Assert.That((await s.ChecksumAsync(first, "a[]")).Count, Is.EqualTo(1));

        var second = await s.CommitAsync("0/20");
        Assert.That(second.OpId, Is.GreaterThan(first.OpId));
        Assert.That(await s.ReadAllAsync(second, "a[]"), Has.Count.EqualTo(2));
        Assert.That((await s.ChecksumAsync(first, "a[]")).Count, Is.EqualTo(1), "an older checkpoint still sums only its own ops");
    }

    [Test]
    public async Task No_checkpoint_is_exposed_before_the_snapshot_is_done_and_its_consistent_point_is_reached()
    {
        await using var s = await StartAsync(snapshotDone: false);
        await s.SaveAsync(Put("r1", "{}", "a[]"));
        Assert.That(await s.Writer.CommitAsync(Lsn.Zero, default), Is.Null);
        await s.Writer.MarkSnapshotDoneAsync(Lsn.Parse("0/100"), default);

        Assert.That(await s.Writer.CommitAsync(Lsn.Parse("0/50"), default), Is.Null);
        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.Null);
        Assert.That((await s.Writer.GetStateAsync(default)).ResumeLsn, Is.EqualTo(Lsn.Parse("0/50")));

        var cp = await s.Writer.CommitAsync(Lsn.Parse("0/100"), default);
        Assert.That(cp, Is.Not.Null);
        Assert.That(await s.ReadAllAsync(cp!.Value, "a[]"), Has.Count.EqualTo(1));
        Assert.That((await s.Storage.Admin.GetActiveAsync(default))!.Id, Is.EqualTo(s.Version.Id));
    }

    [Test]
    public async Task Pages_stop_at_the_op_limit_or_the_byte_limit_and_say_there_is_more()
    {
        await using var s = await StartAsync();
        for (var i = 0; i < 25; i++) await s.SaveAsync(Put($"r{i}", new string('x', 100), "a[]"));
        var cp = await s.CommitAsync("0/10");

        var byOps = await s.Storage.Reader.ReadBucketPageAsync(cp, new BucketPosition("a[]", OpId.Zero), 10, 1 << 20, default);
        Assert.That((byOps.Ops.Count, byOps.HasMore, byOps.NextAfter), Is.EqualTo((10, true, new OpId(10))));
        var byBytes = await s.Storage.Reader.ReadBucketPageAsync(cp, new BucketPosition("a[]", new OpId(10)), 1000, 450, default);
        Assert.That((byBytes.Ops.Count, byBytes.HasMore, byBytes.Ops[0].OpId), Is.EqualTo((5, true, new OpId(11))));
        var last = await s.Storage.Reader.ReadBucketPageAsync(cp, new BucketPosition("a[]", new OpId(20)), 1000, 1 << 20, default);
        Assert.That((last.Ops.Count, last.HasMore), Is.EqualTo((5, false)));
        var none = await s.Storage.Reader.ReadBucketPageAsync(cp, new BucketPosition("unknown[]", OpId.Zero), 1000, 1 << 20, default);
        Assert.That((none.Ops.Count, none.HasMore, none.NextAfter), Is.EqualTo((0, false, OpId.Zero)));
    }

    [Test]
    public async Task Parameter_lookups_are_read_as_of_a_checkpoint()
    {
        await using var s = await StartAsync();
        var membership = (string org) => new SourceRowChange(new SourceTable("public", "users"), "u1", RowChangeKind.Upsert, [],
            [new ParameterLookupRow("[\"by_user\",\"u1\"]", $"[{{\"org_id\":\"{org}\"}}]")], ReadOnlyMemory<byte>.Empty);
        await s.SaveAsync(membership("o1"));
        var first = await s.CommitAsync("0/10");
        await s.SaveAsync(membership("o2"));
        var second = await s.CommitAsync("0/20");
        await s.SaveAsync(SourceRowChange.Delete(new SourceTable("public", "users"), "u1"));
        var third = await s.CommitAsync("0/30");

        async Task<IReadOnlyList<string>> At(Checkpoint cp) =>
            (await s.Storage.Reader.GetParameterSetsAsync(cp, ["[\"by_user\",\"u1\"]", "[\"by_user\",\"nobody\"]"], default))["[\"by_user\",\"u1\"]"];
        Assert.That(await At(first), Is.EqualTo(new[] { "[{\"org_id\":\"o1\"}]" }));
        Assert.That(await At(second), Is.EqualTo(new[] { "[{\"org_id\":\"o2\"}]" }));
        Assert.That(await At(third), Is.Empty);
    }

    [Test]
    public async Task Truncate_removes_every_row_of_that_table_and_no_other()
    {
        await using var s = await StartAsync();
        for (var i = 0; i < 2500; i++) await s.SaveAsync(Put($"r{i}", "{}", $"b[{i % 3}]"));
        var other = new SourceRowChange(new SourceTable("public", "other"), "o1", RowChangeKind.Upsert, [new BucketRow("b[0]", "other", "o1", "{}")], [], ReadOnlyMemory<byte>.Empty);
        await s.SaveAsync(other);
        await s.Writer.TruncateAsync(Table, default);
        await s.SaveAsync(Put("after", "{}", "b[0]"));
        var cp = await s.CommitAsync("0/10");

        var state = BucketReducer.Reduce(await s.ReadAllAsync(cp, "b[0]"));
        Assert.That(state.Rows.Keys.Select(k => k.Item2).Order(), Is.EqualTo(new[] { "after", "o1" }));
        Assert.That(BucketReducer.Reduce(await s.ReadAllAsync(cp, "b[1]")).Rows, Is.Empty);
    }

    [Test]
    public async Task The_raw_row_is_kept_for_toast_values_until_the_row_is_deleted()
    {
        await using var s = await StartAsync();
        var raw = new byte[] { 1, 2, 3 };
        await s.SaveAsync(Put("r1", "{}", "a[]") with { RawRow = raw });
        Assert.That(await s.Writer.GetRawRowAsync(Table, "r1", default), Is.EqualTo(raw), "from the unflushed batch");
        await s.CommitAsync("0/10");
        Assert.That(await s.Writer.GetRawRowAsync(Table, "r1", default), Is.EqualTo(raw), "from storage");
        await s.SaveAsync(Delete("r1"));
        Assert.That(await s.Writer.GetRawRowAsync(Table, "r1", default), Is.Null);
        Assert.That(await s.Writer.GetRawRowAsync(Table, "unknown", default), Is.Null);
    }

    [Test]
    public async Task A_raw_row_in_a_buffer_being_flushed_is_read_from_that_flush_and_later_changes_go_to_the_next_commit()
    {
        // Flushes of 3 changes: with a store that writes while the caller goes on, the row's buffer may still be
        // in flight when it is asked for; and the changes saved after a commit starts belong to the next one.
        await using var s = await StorageScope.StartAsync(OpenStorage(TestContext.CurrentContext.Test.ID, flushOps: 3));
        for (var i = 0; i < 30; i++)
        {
            await s.SaveAsync(Insert($"r{i}", "{}", "a[]") with { RawRow = new byte[] { (byte)i } });
            if (i >= 3) Assert.That(await s.Writer.GetRawRowAsync(Table, $"r{i - 3}", default), Is.EqualTo(new[] { (byte)(i - 3) }), $"r{i - 3}");
        }
        var first = s.Writer.CommitAsync(Lsn.Parse("0/10"), default);
        for (var i = 30; i < 40; i++) await s.SaveAsync(Insert($"r{i}", "{}", "a[]"));
        var firstCheckpoint = await first ?? throw new InvalidOperationException("no checkpoint");
        var second = await s.CommitAsync("0/20");

        Assert.That(await s.ReadAllAsync(firstCheckpoint, "a[]"), Has.Count.EqualTo(30));
        Assert.That(await s.ReadAllAsync(second, "a[]"), Has.Count.EqualTo(40));
        Assert.That((await s.ChecksumAsync(second, "a[]")).Count, Is.EqualTo(40));
    }

    [Test]
    public async Task Every_watcher_sees_each_new_checkpoint()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", "{}", "a[]"));
        var first = await s.CommitAsync("0/10");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var one = s.Storage.Checkpoints.WatchAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        await using var two = s.Storage.Checkpoints.WatchAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.That(await one.MoveNextAsync() && await two.MoveNextAsync(), Is.True);
        Assert.That((one.Current, two.Current), Is.EqualTo((first, first)));

        var pending = one.MoveNextAsync().AsTask();
        Assert.That(pending.IsCompleted, Is.False, "nothing new yet");
        var second = await s.CommitAsync("0/20");
        Assert.That(await pending, Is.True);
        Assert.That(one.Current, Is.EqualTo(second));
        Assert.That(await two.MoveNextAsync() ? two.Current : default, Is.EqualTo(second));
    }

    [Test]
    public async Task An_idle_source_still_advances_the_checkpoint_lsn()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", "{}", "a[]"));
        var first = await s.CommitAsync("0/10");
        var idle = await s.Writer.KeepaliveAsync(Lsn.Parse("0/99"), default);
        Assert.That(idle, Is.EqualTo(first with { Lsn = Lsn.Parse("0/99") }));
        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.EqualTo(idle));
    }

    [Test]
    public async Task Long_bucket_names_row_ids_and_lookups_are_kept_apart_like_short_ones()
    {
        await using var s = await StartAsync();
        var longBucket = "b[\"" + new string('x', 3000) + "\"]";
        var otherLongBucket = "b[\"" + new string('x', 2999) + "y\"]";
        var longId = new string('r', 5000);
        var lookup = "[\"l\",\"" + new string('z', 3000) + "\"]";
        await s.SaveAsync(new SourceRowChange(Table, longId, RowChangeKind.Upsert, [new BucketRow(longBucket, "test", longId, "{}")],
            [new ParameterLookupRow(lookup, "[{\"v\":1}]")], new byte[] { 7 }));
        await s.SaveAsync(Put(longId[..4999], "{}", otherLongBucket));
        var first = await s.CommitAsync("0/10");
        Assert.That(await s.Writer.GetRawRowAsync(Table, longId, default), Is.EqualTo(new byte[] { 7 }));
        await s.SaveAsync(Put(longId, "{}", otherLongBucket));
        var second = await s.CommitAsync("0/20");

        Assert.That((await s.ReadAllAsync(second, longBucket)).Select(o => o.Op), Is.EqualTo(new[] { OpType.Put, OpType.Remove }));
        Assert.That((await s.ReadAllAsync(second, otherLongBucket)).Select(o => o.ObjectIdText), Is.EqualTo(new[] { longId[..4999], longId }));
        var sets = async (Checkpoint cp) => (await s.Storage.Reader.GetParameterSetsAsync(cp, [lookup], default))[lookup];
        Assert.That(await sets(first), Is.EqualTo(new[] { "[{\"v\":1}]" }));
        Assert.That(await sets(second), Is.Empty);

        await s.Writer.TruncateAsync(Table, default);
        var third = await s.CommitAsync("0/30");
        Assert.That(BucketReducer.Reduce(await s.ReadAllAsync(third, otherLongBucket)).Rows, Is.Empty);
        Assert.That((await s.ChecksumAsync(third, otherLongBucket)).Count, Is.EqualTo(4));
    }
}
