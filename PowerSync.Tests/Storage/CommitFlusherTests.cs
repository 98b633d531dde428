using NUnit.Framework;
using PowerSync.Tests.Infrastructure;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Storage;

/// <summary>
/// The SQLite writer with full sync: commits are made at once, flushed to disk by a second thread,
/// and only then visible and acknowledged.
/// </summary>
[TestFixture]
public sealed class CommitFlusherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-durable-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    /// <summary>A store whose fsync step waits at a gate the test opens (after the snapshot-done commit).</summary>
    private async Task<(StorageScope Scope, SemaphoreSlim Reached, SemaphoreSlim Gate)> StartGatedAsync(Func<bool>? fail = null)
    {
        var reached = new SemaphoreSlim(0);
        var gate = new SemaphoreSlim(0);
        var armed = false;
        var storage = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(_temp.Path, "store.db"), FullSync: true)
        {
            FaultInjection = point =>
            {
                if (point != "durable:before-sync" || !Volatile.Read(ref armed)) return;
                if (fail?.Invoke() == true) throw new IOException("injected: the disk refused the flush");
                reached.Release();
                if (!gate.Wait(Timeout)) throw new TimeoutException("the test never opened the gate");
            },
        });
        var scope = await StorageScope.StartAsync(storage);
        Volatile.Write(ref armed, true);
        return (scope, reached, gate);
    }

    [Test]
    public async Task The_store_directory_is_flushed_once_per_writer_before_its_first_commit_counts()
    {
        var points = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var storage = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(_temp.Path, "store.db"), FullSync: true)
        {
            FaultInjection = point =>
            {
                if (point.StartsWith("durable:", StringComparison.Ordinal)) points.Enqueue(point);
            },
        });
        await using var s = await StorageScope.StartAsync(storage);
        await s.SaveAsync(Put("r1", "{}", "a[]"));
        await s.CommitAsync("0/10");
        await s.SaveAsync(Put("r2", "{}", "a[]"));
        await s.CommitAsync("0/20");

        var seen = points.ToArray();
        Assert.That(seen.Count(p => p == "durable:directory-flushed"), Is.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo("durable:before-sync"));
        Assert.That(seen[1], Is.EqualTo("durable:directory-flushed"), "before the first flush completes anything");
    }

    [Test]
    public void Flushing_a_missing_directory_fails_naming_it()
    {
        var missing = Path.Combine(_temp.Path, "no-such-directory");
        DirectorySync.Flush(_temp.Path);
        if (OperatingSystem.IsWindows()) Assert.Ignore("Windows needs no directory flush.");
        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.That(error!.Message, Does.Contain(missing));
    }

    [Test]
    public async Task A_started_commit_stays_invisible_until_flushed_to_disk_while_the_writer_takes_the_next_changes()
    {
        var (s, reached, gate) = await StartGatedAsync();
        await using var _ = s;

        await s.SaveAsync(Put("r1", "{}", "a[]"));
        var first = s.Writer.StartCommit(Lsn.Parse("0/10"));
        Assert.That(await reached.WaitAsync(Timeout), "the flush of the first commit started");

        Assert.That(first.IsCompleted, Is.False, "not durable yet");
        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.Null, "nothing visible before the flush");
        await s.SaveAsync(Put("r2", "{}", "a[]"));
        var second = s.Writer.StartCommit(Lsn.Parse("0/20"));
        Assert.That(second.IsCompleted, Is.False);

        gate.Release(2);
        var firstCheckpoint = await first.WaitAsync(Timeout);
        var secondCheckpoint = await second.WaitAsync(Timeout);

        Assert.That(firstCheckpoint!.Value.OpId, Is.EqualTo(new OpId(1)));
        Assert.That(secondCheckpoint!.Value.OpId, Is.EqualTo(new OpId(2)));
        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.EqualTo(secondCheckpoint));
        Assert.That(await s.ReadAllAsync(secondCheckpoint.Value, "a[]"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_failed_flush_to_disk_fails_the_commit_and_the_writer_and_exposes_nothing()
    {
        var (s, _, _) = await StartGatedAsync(fail: () => true);
        await using var __ = s;

        await s.SaveAsync(Put("r1", "{}", "a[]"));
        var commit = s.Writer.StartCommit(Lsn.Parse("0/10"));

        var ex = Assert.ThrowsAsync<IOException>(async () => await commit.WaitAsync(Timeout));
        Assert.That(ex!.Message, Does.Contain("-wal").And.Contain("none of them is acknowledged"));
        Assert.That(await s.Storage.Reader.GetCheckpointAsync(default), Is.Null, "the commit never became visible");
        var refused = Assert.ThrowsAsync<PowerSyncException>(async () => await s.SaveAsync(Put("r2", "{}", "a[]")));
        Assert.That(refused!.Code, Is.EqualTo(StorageErrorCodes.WriterFailed));
    }
}
