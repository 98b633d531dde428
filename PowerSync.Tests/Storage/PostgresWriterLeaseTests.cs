using Npgsql;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Postgres;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Storage;

/// <summary>Two instances on one Postgres store: one writer per version, takeover, and the fence on every commit.</summary>
public sealed class PostgresWriterLeaseTests
{
    private static PostgresBucketStorage Open(TestDatabase db, string instance) =>
        PostgresBucketStorage.Open(new PostgresBucketStorageOptions(NpgsqlDataSource.Create(db.ConnectionString), "shared")
        {
            OwnsDataSource = true,
            InstanceId = instance,
            LeaseDuration = TimeSpan.FromSeconds(2),
            PollInterval = TimeSpan.FromMilliseconds(100),
        });

    private static SourceRowChange Put(string id, string bucket) => StorageScope.Put(id, $"{{\"id\":\"{id}\"}}", bucket);

    [Test]
    public async Task A_second_instance_cannot_write_a_version_while_the_first_holds_its_lease_and_takes_over_once_it_lets_go()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var a = Open(db, "a");
        await using var b = Open(db, "b");
        var version = await a.Admin.DeployAsync("bucket_definitions: {}", default);
        var writerA = await a.Admin.OpenWriterAsync(version, default);

        var refused = Assert.ThrowsAsync<PowerSyncException>(() => b.Admin.OpenWriterAsync(version, default));
        Assert.That(refused!.Code, Is.EqualTo(StorageErrorCodes.WriterLeaseHeld));
        Assert.That(refused.Message, Does.Contain("instance 'a'"));

        await writerA.DisposeAsync(); // lets the lease go at once
        await using var writerB = await b.Admin.OpenWriterAsync(version, default);
        Assert.That(((PostgresStorageWriter)writerB).FencingToken, Is.EqualTo(2));
    }

    [Test]
    public async Task A_writer_whose_lease_was_taken_over_cannot_commit_and_its_ops_never_appear()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var a = Open(db, "a");
        await using var b = Open(db, "b");
        var version = await a.Admin.DeployAsync("bucket_definitions: {}", default);
        var writerA = await a.Admin.OpenWriterAsync(version, default);
        await writerA.MarkSnapshotDoneAsync(Lsn.Parse("0/1"), default);
        await writerA.SaveAsync(Put("from-a", "b[]"), default);
        await writerA.FlushAsync(default); // A's transaction is open, as in a leader paused mid-transaction

        // A stops renewing (paused) and its connection cannot be ended (as under another role): only the fence stands.
        await db.ExecuteAsync("UPDATE shared.replication_leases SET expires_at = now() - interval '1 second', writer_pid = NULL");
        var takeover = Task.Run(async () =>
        {
            var writer = await b.Admin.OpenWriterAsync(version, default);
            await writer.SaveAsync(Put("from-b", "b[]"), default);
            return (Writer: writer, Checkpoint: await writer.CommitAsync(Lsn.Parse("0/20"), default));
        });
        await Eventually.HoldsAsync(() => db.ScalarAsync<string>("SELECT owner FROM shared.replication_leases"), owner => owner == "b", Eventually.Timeout, "b holds the lease");

        var fenced = Assert.ThrowsAsync<PowerSyncException>(() => writerA.CommitAsync(Lsn.Parse("0/10"), default));
        Assert.That(fenced!.Code, Is.EqualTo(StorageErrorCodes.WriterLeaseLost));
        await writerA.DisposeAsync();

        var (writerB, checkpoint) = await Eventually.WithTimeout(takeover, "b's commit after a's transaction rolled back");
        await using (writerB)
        {
            var page = await b.Reader.ReadBucketPageAsync(checkpoint!.Value, new BucketPosition("b[]", OpId.Zero), 100, 1 << 20, default);
            Assert.That(page.Ops.Select(o => o.ObjectIdText), Is.EqualTo(new[] { "from-b" }), "nothing of the fenced writer was committed");
            Assert.That(checkpoint.Value.OpId, Is.EqualTo(new OpId(1)), "op ids continue from the last commit, not from the fenced transaction");
        }
    }

    [Test]
    public async Task A_holder_paused_inside_its_commit_with_the_lease_row_locked_does_not_block_a_takeover_once_its_lease_expired()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var a = Open(db, "a");
        await using var b = Open(db, "b");
        var version = await a.Admin.DeployAsync("bucket_definitions: {}", default);
        await using (await a.Admin.OpenWriterAsync(version, default)) { }

        // A writer stopped between its fence (which locks the lease row) and COMMIT: its connection is idle in a
        // transaction that holds the row, and its lease has run out.
        await using var paused = await db.OpenConnectionAsync();
        await using (var hold = new NpgsqlCommand("""
            BEGIN;
            UPDATE shared.replication_leases SET writer_pid = pg_backend_pid(),
                writer_started = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()), expires_at = now() - interval '1 second';
            COMMIT;
            BEGIN;
            UPDATE shared.replication_leases SET expires_at = greatest(expires_at, now() - interval '1 second');
            """, paused))
        {
            await hold.ExecuteNonQueryAsync();
        }

        await using var writerB = await Eventually.WithTimeout(b.Admin.OpenWriterAsync(version, default), "b's takeover");
        Assert.That(((PostgresStorageWriter)writerB).FencingToken, Is.GreaterThan(1));
        var ended = Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var commit = new NpgsqlCommand("COMMIT", paused);
            await commit.ExecuteNonQueryAsync();
        });
        Assert.That(ended!.SqlState, Is.EqualTo(PostgresErrorCodes.AdminShutdown), "the paused holder's transaction was ended, not committed");
    }

    [Test]
    public async Task A_checkpoint_committed_by_one_instance_reaches_the_other_with_its_changed_buckets_uncached()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var a = Open(db, "a");
        await using var b = Open(db, "b");
        var version = await a.Admin.DeployAsync("bucket_definitions: {}", default);
        await using var writer = await a.Admin.OpenWriterAsync(version, default);
        await writer.MarkSnapshotDoneAsync(Lsn.Parse("0/1"), default);
        await writer.SaveAsync(Put("r1", "x[]"), default);
        var first = (await writer.CommitAsync(Lsn.Parse("0/10"), default))!.Value;
        await Eventually.HoldsAsync(() => Task.FromResult(b.Broadcast.Latest), latest => latest == first, Eventually.Timeout, "b sees a's first checkpoint");
        var before = (await b.Reader.GetChecksumsAsync(first, ["x[]"], default)).Single(); // cached on b now

        await writer.SaveAsync(Put("r2", "x[]"), default);
        var second = (await writer.CommitAsync(Lsn.Parse("0/20"), default))!.Value;
        await Eventually.HoldsAsync(() => Task.FromResult(b.Broadcast.Latest), latest => latest == second, Eventually.Timeout, "b sees a's second checkpoint");

        var after = (await b.Reader.GetChecksumsAsync(second, ["x[]"], default)).Single();
        var expected = (await a.Reader.GetChecksumsAsync(second, ["x[]"], default)).Single();
        Assert.That((after.Count, after.Checksum), Is.EqualTo((expected.Count, expected.Checksum)));
        Assert.That(after.Count, Is.EqualTo(before.Count + 1));
    }
}
