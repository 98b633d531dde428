using Npgsql;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Postgres;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Storage;

/// <summary>
/// The conformance suite on the Postgres store: one database for the fixture (the test cluster's), one schema per
/// store name, so the same name reopens the same data.
/// </summary>
public sealed class PostgresBucketStorageConformanceTests : BucketStorageConformanceTests
{
    private TestDatabase _database = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase() => _database = await TestPostgres.CreateDatabaseAsync();

    [OneTimeTearDown]
    public async Task DropDatabase() => await _database.DisposeAsync();

    /// <summary>A schema name for a store name: a plain identifier, the same for the same name.</summary>
    internal static string SchemaOf(string name) =>
        "t_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..16];

    private protected override IBucketStorage OpenStorage(string name, Action<string>? faultInjection = null, int flushOps = 2000) =>
        // Each store its own pool, as each app instance has: a store a test abandons (a simulated crash) keeps only its own.
        PostgresBucketStorage.Open(new PostgresBucketStorageOptions(NpgsqlDataSource.Create(_database.ConnectionString), SchemaOf(name), FlushOps: flushOps)
        {
            FaultInjection = faultInjection,
            InstanceId = "conformance",
            OwnsDataSource = true,
        });

    private protected override void WriteLegacyWriteCheckpoint(IBucketStorage storage, string key, long id, Lsn lsn)
    {
        var schema = ((PostgresBucketStorage)storage).Schema;
        using var connection = ((PostgresBucketStorage)storage).DataSource.OpenConnection();
        using var cmd = new NpgsqlCommand($"INSERT INTO {schema}.write_checkpoints (key, id, lsn) VALUES ($1, $2, $3)", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        cmd.Parameters.Add(new NpgsqlParameter { Value = StoredLsn.ToStored(lsn) });
        cmd.ExecuteNonQuery();
    }
}
