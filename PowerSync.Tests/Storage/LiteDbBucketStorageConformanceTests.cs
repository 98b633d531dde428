using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.LiteDb;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Storage;

/// <summary>
/// The conformance suite on the LiteDB store, each test in its own folder: once with full sync
/// (commits flushed to disk by a second thread before they count) and once without.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public sealed class LiteDbBucketStorageConformanceTests(bool fullSync) : BucketStorageConformanceTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-litedb-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private protected override IBucketStorage OpenStorage(string name, Action<string>? faultInjection = null, int flushOps = 2000) =>
        LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(Path.Combine(_temp.Path, name + ".db"), FullSync: fullSync, FlushOps: flushOps)
        {
            FaultInjection = faultInjection,
        });

    private protected override void WriteLegacyWriteCheckpoint(IBucketStorage storage, string key, long id, Lsn lsn) =>
        ((LiteDbBucketStorage)storage).Database.GetCollection(LiteDbKeys.WriteCheckpoints)
            .Insert(new LiteDB.BsonDocument { ["_id"] = LiteDbKeys.Of(key, id), ["lsn"] = StoredLsn.ToStored(lsn) });

    [Test]
    public void A_store_written_with_an_unknown_schema_version_is_refused_with_a_clear_error()
    {
        var path = Path.Combine(_temp.Path, "future.db");
        using (var database = new LiteDB.LiteDatabase(path))
            database.GetCollection("meta").Upsert(new LiteDB.BsonDocument { ["_id"] = "schema_version", ["v"] = 99 });

        var ex = Assert.Throws<PowerSyncException>(() => OpenStorage("future"));
        Assert.That(ex!.Code, Is.EqualTo(StorageErrorCodes.UnknownSchemaVersion));
        Assert.That(ex.Message, Does.Contain("schema version 99").And.Contain("future.db"));
    }

    [Test]
    public async Task Two_versions_writers_take_turns_and_each_keeps_its_own_data()
    {
        await using var s = await StartAsync();
        var storage = (LiteDbBucketStorage)s.Storage;
        await s.SaveAsync(StorageScope.Put("a0", "{\"v\":0}", "old[]"));
        await s.CommitAsync("0/5"); // the first version is active: a new one replicates beside it
        var next = await storage.Admin.DeployAsync("bucket_definitions: {v: 2}", default);
        await using var nextWriter = await storage.Admin.OpenWriterAsync(next, default);

        // The active version's writer flushes without committing: its LiteDB transaction is open.
        await s.SaveAsync(StorageScope.Put("a1", "{\"v\":1}", "old[]"));
        await s.Writer.FlushAsync(default);
        Assert.That(storage.WriterGate.CurrentCount, Is.Zero, "an open transaction holds the store's writer gate");

        // The other version's writer cannot begin its own transaction until then (the call blocks its caller).
        var other = Task.Run(async () =>
        {
            await nextWriter.SaveAsync(StorageScope.Put("b1", "{\"v\":2}", "new[]"), default);
            await nextWriter.FlushAsync(default);
            return await nextWriter.CommitAsync(Lsn.Zero, default);
        });
        Assert.That(other.IsCompleted, Is.False, "the second writer waits for the first one's commit");

        var committed = await s.CommitAsync("0/10");
        await Eventually.WithTimeout(other, "the second writer after the first committed");
        Assert.That(storage.WriterGate.CurrentCount, Is.EqualTo(1), "both transactions released the gate");

        Assert.That((await s.ReadAllAsync(committed, "old[]")).Select(o => o.DataText), Is.EqualTo(new[] { "{\"v\":0}", "{\"v\":1}" }));
        await nextWriter.MarkSnapshotDoneAsync(Lsn.Parse("0/20"), default);
        var switched = await nextWriter.CommitAsync(Lsn.Parse("0/20"), default);
        Assert.That((await s.ReadAllAsync(switched!.Value, "new[]")).Select(o => o.DataText), Is.EqualTo(new[] { "{\"v\":2}" }));
    }

    [Test]
    public async Task A_rolled_back_transaction_releases_the_writer_gate()
    {
        await using var s = await StartAsync();
        var storage = (LiteDbBucketStorage)s.Storage;
        await s.SaveAsync(StorageScope.Put("a1", "{}", "old[]"));
        await s.Writer.FlushAsync(default);
        Assert.That(storage.WriterGate.CurrentCount, Is.Zero);

        await s.Writer.DiscardUncommittedAsync(default);

        Assert.That(storage.WriterGate.CurrentCount, Is.EqualTo(1));
        var checkpoint = await s.CommitAsync("0/10");
        Assert.That(await s.ReadAllAsync(checkpoint, "old[]"), Is.Empty, "the discarded row was never committed");
    }
}
