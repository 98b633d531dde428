using NUnit.Framework;
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
}
