using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;

namespace PowerSync.Tests.Storage;

/// <summary>
/// The conformance suite on the embedded SQLite store, each test in its own folder: once with full sync
/// (commits flushed to disk by a second thread before they count, as in production) and once without.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public sealed class SqliteBucketStorageConformanceTests(bool fullSync) : BucketStorageConformanceTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder("powersync-storage-");

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    private protected override IBucketStorage OpenStorage(string name, Action<string>? faultInjection = null, int flushOps = 2000) =>
        SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(_folder.Path, name + ".db"), FullSync: fullSync, FlushOps: flushOps)
        {
            FaultInjection = faultInjection,
        });

    private protected override void WriteLegacyWriteCheckpoint(IBucketStorage storage, string key, long id, Lsn lsn)
    {
        using var connection = ((SqliteBucketStorage)storage).OpenWriteConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT INTO write_checkpoints (key, id, lsn) VALUES ($k, $id, $lsn)";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$lsn", StoredLsn.ToStored(lsn));
        cmd.ExecuteNonQuery();
    }

    [Test]
    public async Task Write_checkpoints_are_kept_in_memory_only_for_keys_sessions_read_and_only_up_to_a_bound()
    {
        await using var s = await StartAsync();
        var store = (SqliteWriteCheckpointStore)s.Storage.WriteCheckpoints;
        // Clients that only ask for ids (write-checkpoint2.json with ever new client ids) cost memory nothing.
        for (var i = 0; i < 500; i++) await store.CreateAsync(new WriteCheckpointKey("u1", "client-" + i), Lsn.Parse("0/10"), default);
        Assert.That(store.CachedKeys, Is.Zero);

        for (var i = 0; i < SqliteWriteCheckpointStore.MaxCachedKeys + 10; i++)
        {
            var id = await store.GetAsync(new WriteCheckpointKey("u1", "client-" + i), Lsn.Parse("0/10"), default);
            Assert.That(id, Is.EqualTo(i < 500 ? 1 : null));
            Assert.That(store.CachedKeys, Is.LessThanOrEqualTo(SqliteWriteCheckpointStore.MaxCachedKeys));
        }

        // A cached key sees later writes.
        await store.GetAsync(new WriteCheckpointKey("u1", "client-1"), Lsn.Parse("0/10"), default);
        await store.CreateAsync(new WriteCheckpointKey("u1", "client-1"), Lsn.Parse("0/20"), default);
        Assert.That(await store.GetAsync(new WriteCheckpointKey("u1", "client-1"), Lsn.Parse("0/20"), default), Is.EqualTo(2));
    }
}
