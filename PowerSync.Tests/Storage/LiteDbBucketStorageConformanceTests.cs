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
}
