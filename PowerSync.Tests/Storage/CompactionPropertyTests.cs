using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Storage;

public abstract partial class BucketStorageConformanceTests
{
    private static readonly string[] PropertyBuckets = ["p[0]", "p[1]", "p[2]"];

    /// <summary>Random histories: rows moving between buckets, updates, deletes; commits at random points.</summary>
    private static async Task<List<Checkpoint>> WriteRandomHistoryAsync(StorageScope s, Random random, int steps, int lsnBase)
    {
        var checkpoints = new List<Checkpoint>();
        for (var step = 1; step <= steps; step++)
        {
            var id = $"k{random.Next(6)}";
            if (random.Next(6) == 0) await s.SaveAsync(Delete(id));
            else
            {
                var buckets = PropertyBuckets.Where(_ => random.Next(3) == 0).ToArray();
                await s.SaveAsync(Put(id, $"{{\"v\":{random.Next(1000)}}}", buckets));
            }
            if (random.Next(4) == 0 || step == steps)
                checkpoints.Add(await s.CommitAsync(new Lsn((ulong)(lsnBase + step)).ToString()));
        }
        return checkpoints;
    }

    private static IEnumerable<int> Seeds() => Enumerable.Range(1, 12);

    [TestCaseSource(nameof(Seeds))]
    public async Task Reducing_a_prefix_then_applying_the_rest_equals_reducing_everything(int seed)
    {
        var random = new Random(seed);
        await using var s = await StartAsync();
        var checkpoints = await WriteRandomHistoryAsync(s, random, 60, 0);
        var last = checkpoints[^1];

        foreach (var bucket in PropertyBuckets)
        {
            var all = await s.ReadAllAsync(last, bucket);
            var full = BucketReducer.Reduce(all);
            Assert.That(full.Checksum, Is.EqualTo((await s.ChecksumAsync(last, bucket)).Checksum), $"{bucket}: stored checksum");
            foreach (var c in checkpoints)
            {
                var prefix = BucketReducer.Reduce(all.Where(o => o.OpId <= c.OpId));
                var rest = BucketReducer.Reduce(all.Where(o => o.OpId > c.OpId), prefix);
                Assert.That(rest.SameAs(full), $"{bucket} split at {c.OpId}: {rest} vs {full}");
                Assert.That(prefix.Checksum, Is.EqualTo((await s.ChecksumAsync(c, bucket)).Checksum), $"{bucket}: checksum at {c.OpId}");
            }
        }
    }

    [TestCaseSource(nameof(Seeds))]
    public async Task Compaction_preserves_every_bucket_state_and_checksum_for_clients_at_any_earlier_checkpoint(int seed)
    {
        var random = new Random(seed);
        await using var s = await StartAsync();
        var checkpoints = await WriteRandomHistoryAsync(s, random, 80, 0);
        var before = new Dictionary<string, List<OplogEntry>>();
        foreach (var bucket in PropertyBuckets) before[bucket] = await s.ReadAllAsync(checkpoints[^1], bucket);

        await s.Storage.Compactor.CompactAsync(new CompactionOptions(BatchSize: 3), default);
        // More history after compaction, then compact again: compaction is repeatable and online.
        checkpoints.AddRange(await WriteRandomHistoryAsync(s, random, 30, 1000));
        var last = checkpoints[^1];
        var uncompacted = new Dictionary<string, List<OplogEntry>>();
        foreach (var bucket in PropertyBuckets)
            uncompacted[bucket] = [.. before[bucket], .. (await s.ReadAllAsync(last, bucket)).Where(o => o.OpId > before[bucket].LastOrDefault()?.OpId)];
        await s.Storage.Compactor.CompactAsync(new CompactionOptions(), default);

        foreach (var bucket in PropertyBuckets)
        {
            var original = uncompacted[bucket];
            var compacted = await s.ReadAllAsync(last, bucket);
            var target = BucketReducer.Reduce(original);
            Assert.That(BucketReducer.Reduce(compacted).SameAs(target), $"{bucket}: compacted history reduces to the same state");
            Assert.That((await s.ChecksumAsync(last, bucket)).Checksum, Is.EqualTo(target.Checksum), $"{bucket}: checksum unchanged");
            Assert.That(compacted.Count(o => o.Op == OpType.Clear), Is.LessThanOrEqualTo(1));
            Assert.That(compacted.Skip(1).All(o => o.Op != OpType.Clear), $"{bucket}: a CLEAR can only lead");

            foreach (var c in checkpoints)
            {
                // A client that synced up to c before compaction, then downloads what follows c now.
                var client = BucketReducer.Reduce(original.Where(o => o.OpId <= c.OpId));
                var caughtUp = BucketReducer.Reduce(compacted.Where(o => o.OpId > c.OpId), client);
                Assert.That(caughtUp.SameAs(target), $"{bucket}: client at {c.OpId} converges ({caughtUp} vs {target})");
            }
        }
    }

    [Test]
    public async Task Compaction_with_little_memory_still_only_makes_correct_moves()
    {
        await using var s = await StartAsync();
        for (var round = 0; round < 5; round++)
            for (var i = 0; i < 50; i++) await s.SaveAsync(Put($"r{i}", $"{{\"round\":{round}}}", "big[]"));
        var cp = await s.CommitAsync("0/10");
        var original = BucketReducer.Reduce(await s.ReadAllAsync(cp, "big[]"));

        var result = await s.Storage.Compactor.CompactAsync(new CompactionOptions(MaxTrackedRows: 10, BatchSize: 7), default);

        Assert.That(result.OpsMoved, Is.GreaterThan(0).And.LessThan(200), "only rows it could track were compacted");
        Assert.That(BucketReducer.Reduce(await s.ReadAllAsync(cp, "big[]")).SameAs(original));
        Assert.That((await s.ChecksumAsync(cp, "big[]")).Checksum, Is.EqualTo(original.Checksum));
    }
}

public abstract partial class BucketStorageConformanceTests
{
    [Test]
    public async Task Sessions_reading_during_compaction_always_see_the_same_checksum_and_state()
    {
        await using var s = await StartAsync();
        for (var round = 0; round < 4; round++)
            for (var i = 0; i < 300; i++) await s.SaveAsync(Put($"r{i}", $"{{\"round\":{round}}}", "busy[]"));
        var cp = await s.CommitAsync("0/10");
        var expected = BucketReducer.Reduce(await s.ReadAllAsync(cp, "busy[]"));

        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var state = BucketReducer.Reduce(await s.ReadAllAsync(cp, "busy[]"));
                Assert.That(state.SameAs(expected), "a read during compaction reduces to the same state");
                Assert.That((await s.ChecksumAsync(cp, "busy[]")).Checksum, Is.EqualTo(expected.Checksum));
                Interlocked.Increment(ref reads);
            }
        });
        var result = await s.Storage.Compactor.CompactAsync(new CompactionOptions(BatchSize: 50), default);
        // Keep reading until at least one full read has overlapped or followed the compaction.
        var target = Volatile.Read(ref reads) + 2;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Volatile.Read(ref reads) < target && !reader.IsCompleted) await Task.Yield();
        await stop.CancelAsync();
        await reader.WaitAsync(timeout.Token);

        Assert.That(result.OpsMoved, Is.EqualTo(900));
        Assert.That(await s.ReadAllAsync(cp, "busy[]"), Has.Count.EqualTo(301), "one CLEAR, then the 300 live rows");
    }
}
