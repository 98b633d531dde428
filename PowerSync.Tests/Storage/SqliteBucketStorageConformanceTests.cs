using NUnit.Framework;
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
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("powersync-storage-").FullName;

    [TearDown]
    public void DeleteFolder()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private protected override IBucketStorage OpenStorage(string name, Action<string>? faultInjection = null, int flushOps = 2000) =>
        SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(_folder, name + ".db"), FullSync: fullSync, FlushOps: flushOps)
        {
            FaultInjection = faultInjection,
        });
}
