using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Storage;

public abstract partial class BucketStorageConformanceTests
{
    private sealed class InjectedCrash(string point) : Exception($"Injected crash at {point}");

    /// <summary>A deterministic replication history: transactions of row changes with commit LSNs.</summary>
    private static List<(Lsn Lsn, List<SourceRowChange> Changes)> Workload()
    {
        var random = new Random(42);
        var history = new List<(Lsn, List<SourceRowChange>)>();
        for (var t = 1; t <= 30; t++)
        {
            var changes = new List<SourceRowChange>();
            for (var c = 0; c < random.Next(1, 6); c++)
            {
                var id = $"r{random.Next(20)}";
                changes.Add(random.Next(5) == 0
                    ? Delete(id)
                    : Put(id, $"{{\"id\":\"{id}\",\"v\":{t * 10 + c}}}", $"b[{random.Next(4)}]"));
            }
            history.Add((new Lsn((ulong)t * 16), changes));
        }
        return history;
    }

    /// <summary>Replays the workload like a replicator: after a crash, reopen and resume after the stored LSN.</summary>
    private async Task<Dictionary<string, (BucketReducer.State State, BucketChecksum Checksum)>> ReplicateAsync(
        string name, Action<string>? fault)
    {
        var history = Workload();
        for (var attempt = 0; ; attempt++)
        {
            Assert.That(attempt, Is.LessThan(50), "replication never finished");
            var storage = OpenStorage(name, fault, flushOps: 3);
            var version = await storage.Admin.GetActiveAsync(default) ?? await storage.Admin.GetProcessingAsync(default)
                ?? await storage.Admin.DeployAsync("bucket_definitions: {}", default);
            var writer = await storage.Admin.OpenWriterAsync(version, default);
            try
            {
                var state = await writer.GetStateAsync(default);
                if (!state.SnapshotDone) await writer.MarkSnapshotDoneAsync(new Lsn(1), default);
                foreach (var (lsn, changes) in history.Where(h => state.ResumeLsn is not { } r || h.Lsn > r))
                {
                    foreach (var change in changes) await writer.SaveAsync(change, default);
                    await writer.CommitAsync(lsn, default);
                }
                var cp = (await storage.Reader.GetCheckpointAsync(default))!.Value;
                var result = new Dictionary<string, (BucketReducer.State, BucketChecksum)>();
                var scope = new[] { "b[0]", "b[1]", "b[2]", "b[3]" };
                var checksums = await storage.Reader.GetChecksumsAsync(cp, scope, default);
                foreach (var bucket in scope)
                {
                    var ops = new List<OplogEntry>();
                    var page = await storage.Reader.ReadBucketPageAsync(cp, new BucketPosition(bucket, OpId.Zero), 100_000, int.MaxValue, default);
                    ops.AddRange(page.Ops);
                    result[bucket] = (BucketReducer.Reduce(ops), checksums.Single(c => c.Bucket == bucket));
                }
                await writer.DisposeAsync();
                await storage.DisposeAsync();
                return result;
            }
            catch (InjectedCrash)
            {
                // The process "dies": nothing is disposed properly; a new process opens the same store.
            }
        }
    }

    [TestCase("flush:after-ops", 2)]
    [TestCase("flush:after-ops", 7)]
    [TestCase("commit:before", 3)]
    [TestCase("commit:before", 11)]
    [TestCase("commit:after", 4)]
    [TestCase("commit:after", 13)]
    public async Task A_crash_at_any_point_then_resuming_gives_the_same_buckets_as_an_uninterrupted_run(string point, int nth)
    {
        var expected = await ReplicateAsync(TestContext.CurrentContext.Test.ID + "-clean", fault: null);

        var seen = 0;
        var crashes = 0;
        var actual = await ReplicateAsync(TestContext.CurrentContext.Test.ID + "-crash", p =>
        {
            if (p == point && ++seen % nth == 0 && crashes < 5)
            {
                crashes++;
                throw new InjectedCrash(p);
            }
        });

        Assert.That(crashes, Is.GreaterThan(0), "the crash point was reached");
        foreach (var (bucket, (state, checksum)) in expected)
        {
            Assert.That(actual[bucket].State.Rows, Is.EquivalentTo(state.Rows), $"rows of {bucket}");
            Assert.That(actual[bucket].State.Checksum, Is.EqualTo(actual[bucket].Checksum.Checksum), $"reduced checksum of {bucket} equals the stored checksum");
            // Nothing of an interrupted storage transaction survives, so the replay re-creates exactly the same ops.
            Assert.That(actual[bucket].Checksum, Is.EqualTo(checksum), $"checksum and op count of {bucket} equal the uninterrupted run's");
        }
    }

    [Test]
    public async Task A_failed_writer_refuses_further_use_and_the_store_keeps_only_committed_data()
    {
        var name = TestContext.CurrentContext.Test.ID;
        var failNext = false;
        var storage = OpenStorage(name, p => { if (failNext && p == "commit:before") throw new InjectedCrash(p); });
        await using var s = await StorageScope.StartAsync(storage);
        await s.SaveAsync(Put("r1", "{}", "a[]"));
        var committed = await s.CommitAsync("0/10");
        await s.SaveAsync(Put("r2", "{}", "a[]"));
        failNext = true;

        Assert.ThrowsAsync<InjectedCrash>(async () => await s.Writer.CommitAsync(Lsn.Parse("0/20"), default));
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await s.Writer.SaveAsync(Put("r3", "{}", "a[]"), default));
        Assert.That(ex!.Code, Is.EqualTo(StorageErrorCodes.WriterFailed));

        failNext = false;
        await s.ReopenWriterAsync();
        var state = await s.Writer.GetStateAsync(default);
        Assert.That(state.ResumeLsn, Is.EqualTo(Lsn.Parse("0/10")));
        Assert.That(state.Checkpoint, Is.EqualTo(committed));
        Assert.That(await s.ReadAllAsync(committed, "a[]"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_reopened_store_reports_its_last_commit_and_continues_the_op_sequence()
    {
        var name = TestContext.CurrentContext.Test.ID;
        Checkpoint first;
        await using (var s = await StorageScope.StartAsync(OpenStorage(name)))
        {
            await s.SaveAsync(Put("r1", "{}", "a[]"));
            first = await s.CommitAsync("1/0");
        }

        var storage = OpenStorage(name);
        Assert.That(await storage.Reader.GetCheckpointAsync(default), Is.EqualTo(first));
        var version = (await storage.Admin.GetActiveAsync(default))!;
        await using var writer = await storage.Admin.OpenWriterAsync(version, default);
        Assert.That((await writer.GetStateAsync(default)).ResumeLsn, Is.EqualTo(Lsn.Parse("1/0")));
        await writer.SaveAsync(Put("r2", "{}", "a[]"), default);
        var second = await writer.CommitAsync(Lsn.Parse("1/10"), default);
        Assert.That(second!.Value.OpId, Is.EqualTo(new OpId(first.OpId.Value + 1)));
        await storage.DisposeAsync();
    }

    [Test]
    public async Task A_new_sync_rules_version_replicates_in_the_background_then_replaces_the_old_one()
    {
        await using var s = await StartAsync();
        await s.SaveAsync(Put("r1", "{}", "old[]"));
        var old = await s.CommitAsync("0/10");

        var next = await s.Storage.Admin.DeployAsync("bucket_definitions: {v: 2}", default);
        Assert.That(next.State, Is.EqualTo(SyncRulesState.Processing));
        Assert.That(next.SlotName, Does.Match("^powersync_[0-9]+_[0-9a-f]{4}$"));
        Assert.That(await s.Storage.Admin.DeployAsync("bucket_definitions: {v: 2}", default), Is.EqualTo(next), "same content: same version");

        await using var nextWriter = await s.Storage.Admin.OpenWriterAsync(next, default);
        await nextWriter.SaveAsync(Put("r1", "{}", "new[]"), default);
        await nextWriter.CommitAsync(Lsn.Zero, default);
        await nextWriter.MarkSnapshotDoneAsync(Lsn.Parse("0/20"), default);
        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.EqualTo(old), "the old version keeps serving");

        var switched = await nextWriter.CommitAsync(Lsn.Parse("0/20"), default);

        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.EqualTo(switched));
        Assert.That(switched!.Value.RulesVersion, Is.EqualTo(next.Id));
        Assert.That((await s.Storage.Admin.GetActiveAsync(default))!.Id, Is.EqualTo(next.Id));
        Assert.That(await s.ReadAllAsync(old, "old[]"), Is.Empty, "the old version's data is removed");
        Assert.That(await s.ReadAllAsync(switched.Value, "new[]"), Has.Count.EqualTo(1));
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await s.Writer.CommitAsync(Lsn.Parse("0/30"), default));
        Assert.That(ex!.Code, Is.EqualTo(StorageErrorCodes.VersionNotWritable));
    }

    [Test]
    public async Task A_version_has_at_most_one_writer()
    {
        await using var s = await StartAsync();
        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await s.Storage.Admin.OpenWriterAsync(s.Version, default));
        Assert.That(ex!.Code, Is.EqualTo(StorageErrorCodes.WriterAlreadyOpen));
    }

    [Test]
    public async Task Client_supplied_write_checkpoint_ids_only_move_forward()
    {
        await using var s = await StartAsync();
        var store = s.Storage.WriteCheckpoints;
        Assert.That(await store.RequestAsync(new WriteCheckpointKey("u1", "c1"), 5, Lsn.Parse("0/100"), default), Is.EqualTo(5));
        Assert.That(await store.RequestAsync(new WriteCheckpointKey("u1", "c1"), 3, Lsn.Parse("0/150"), default), Is.EqualTo(5), "a stale request gets the larger stored id");
        Assert.That(await store.RequestAsync(new WriteCheckpointKey("u1", "c1"), 7, Lsn.Parse("0/200"), default), Is.EqualTo(7));
        Assert.That(await store.RequestAsync(new WriteCheckpointKey("u2", "c1"), 1, Lsn.Parse("0/200"), default), Is.EqualTo(1));

        Assert.That(await store.GetAsync(new WriteCheckpointKey("u1", "c1"), Lsn.Parse("0/50"), default), Is.Null);
        Assert.That(await store.GetAsync(new WriteCheckpointKey("u1", "c1"), Lsn.Parse("0/100"), default), Is.EqualTo(5));
        Assert.That(await store.GetAsync(new WriteCheckpointKey("u1", "c1"), Lsn.Parse("0/199"), default), Is.EqualTo(5));
        Assert.That(await store.GetAsync(new WriteCheckpointKey("u1", "c1"), Lsn.Parse("FFFFFFFF/0"), default), Is.EqualTo(7));

        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await store.RequestAsync(new WriteCheckpointKey("u1", "c1"), 0, Lsn.Zero, default));
        Assert.That(ex!.Code, Is.EqualTo(StorageErrorCodes.InvalidCheckpointRequest));
    }

    [Test]
    public async Task Generated_write_checkpoint_ids_count_up_per_key()
    {
        await using var s = await StartAsync();
        var store = s.Storage.WriteCheckpoints;
        Assert.That(await store.CreateAsync(new WriteCheckpointKey("u1", ""), Lsn.Parse("0/10"), default), Is.EqualTo(1));
        Assert.That(await store.CreateAsync(new WriteCheckpointKey("u1", ""), Lsn.Parse("0/20"), default), Is.EqualTo(2));
        Assert.That(await store.CreateAsync(new WriteCheckpointKey("u2", ""), Lsn.Parse("0/20"), default), Is.EqualTo(1));
        Assert.That(await store.GetAsync(new WriteCheckpointKey("u1", ""), Lsn.Parse("0/15"), default), Is.EqualTo(1));
    }
}
