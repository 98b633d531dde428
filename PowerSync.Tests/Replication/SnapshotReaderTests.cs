using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

public sealed class SnapshotReaderTests
{
    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token;

    private static async Task<List<SnapshotChunk>> ReadAllAsync(PostgresSnapshotReader reader, SnapshotTable table, string? afterKey, CancellationToken ct)
    {
        var chunks = new List<SnapshotChunk>();
        await foreach (var chunk in reader.ReadChunksAsync(table, afterKey, ct)) chunks.Add(chunk);
        return chunks;
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Snapshot_values_equal_streamed_values_for_the_whole_type_matrix(bool syncStreams)
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(TypeMatrixTests.CreateScalarTable + TypeMatrixTests.CreateArrayTable + TypeMatrixTests.CreateCustomTypes, ct);
        var mapping = syncStreams ? ValueMappingOptions.SyncStreams : ValueMappingOptions.Legacy;
        await using var harness = await StreamHarness.CreateAsync(db, ct, mapping);
        await db.ExecuteAsync(TypeMatrixTests.InsertScalars + TypeMatrixTests.InsertArrays + TypeMatrixTests.InsertCustom, ct);
        const int rowCount = 10 + 11 + 1;

        var inserted = 0;
        var streamed = (await harness.CollectUntilAsync(c => c is RowInsert && ++inserted == rowCount, ct)).OfType<RowInsert>().ToList();
        var reader = new PostgresSnapshotReader(harness.DataSource, harness.Mapper, chunkSize: 4);

        foreach (var tableName in new[] { "test_data", "test_data_arrays", "test_custom" })
        {
            var table = await reader.DescribeTableAsync("public", tableName, ct);
            var snapshotRows = (await ReadAllAsync(reader, table, null, ct)).SelectMany(c => c.Rows).ToList();
            var streamRows = streamed.Where(i => i.Relation.Name == tableName).Select(i => i.NewRow).ToList();

            Assert.That(table.IsChunkedByKey, Is.True, tableName);
            Assert.That(table.Relation.Columns, Is.EqualTo(streamRows[0].Relation.Columns), $"{tableName}: same columns and type OIDs as pgoutput");
            Assert.That(snapshotRows, Has.Count.EqualTo(streamRows.Count), tableName);
            for (var r = 0; r < streamRows.Count; r++)
            {
                for (var c = 0; c < table.Relation.Columns.Length; c++)
                {
                    Assert.That(snapshotRows[r][c], Is.EqualTo(streamRows[r][c]), $"{tableName} row {r + 1} column {table.Relation.Columns[c].Name}");
                }
            }
        }
    }

    [TestCase("bigint", "n::bigint", "10", "20")]
    [TestCase("text", "lpad(n::text, 3, '0')", "010", "020")]
    [TestCase("uuid", "('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid", "00000000-0000-0000-0000-000000000010", "00000000-0000-0000-0000-000000000020")]
    public async Task A_single_column_key_table_is_read_in_key_order_chunks_and_resumes_after_a_key(string keyType, string keyExpression, string firstLastKey, string secondLastKey)
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync($"""
            CREATE TABLE items (id {keyType} PRIMARY KEY, n int NOT NULL);
            INSERT INTO items SELECT {keyExpression}, n FROM generate_series(25, 1, -1) AS n;
            """, ct);
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(dataSource), ValueMappingOptions.Legacy);
        var reader = new PostgresSnapshotReader(dataSource, mapper, chunkSize: 10);
        var table = await reader.DescribeTableAsync("public", "items", ct);

        var chunks = await ReadAllAsync(reader, table, null, ct);
        var resumed = await ReadAllAsync(reader, table, chunks[1].LastKey, ct);

        Assert.That(table.ChunkKey?.Name, Is.EqualTo("id"));
        Assert.That(chunks.Select(c => c.Rows.Count), Is.EqualTo(new[] { 10, 10, 5 }));
        Assert.That(chunks.Select(c => c.LastKey).Take(2), Is.EqualTo(new[] { firstLastKey, secondLastKey }));
        Assert.That(chunks.SelectMany(c => c.Rows).Select(r => r["n"].Value.AsInteger), Is.EqualTo(Enumerable.Range(1, 25).Select(n => (long)n)));
        Assert.That(resumed.SelectMany(c => c.Rows).Select(r => r["n"].Value.AsInteger), Is.EqualTo(Enumerable.Range(21, 5).Select(n => (long)n)));
    }

    [Test]
    public async Task Tables_without_a_single_column_key_are_read_through_a_cursor_and_cannot_resume()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("""
            CREATE TABLE no_key (n int);
            CREATE TABLE two_keys (a int, b int, PRIMARY KEY (a, b));
            CREATE TABLE numeric_key (id numeric PRIMARY KEY);
            INSERT INTO no_key SELECT generate_series(1, 25);
            INSERT INTO two_keys SELECT n, n FROM generate_series(1, 3) AS n;
            """, ct);
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(dataSource), ValueMappingOptions.Legacy);
        var reader = new PostgresSnapshotReader(dataSource, mapper, chunkSize: 10);

        var noKey = await reader.DescribeTableAsync("public", "no_key", ct);
        var twoKeys = await reader.DescribeTableAsync("public", "two_keys", ct);
        var numericKey = await reader.DescribeTableAsync("public", "numeric_key", ct);
        var chunks = await ReadAllAsync(reader, noKey, null, ct);

        Assert.That(new[] { noKey.IsChunkedByKey, twoKeys.IsChunkedByKey, numericKey.IsChunkedByKey }, Is.All.False);
        Assert.That(twoKeys.Relation.KeyColumns.Select(c => c.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(chunks.Select(c => c.Rows.Count), Is.EqualTo(new[] { 10, 10, 5 }));
        Assert.That(chunks.Select(c => c.LastKey), Is.All.Null);
        Assert.That(chunks.SelectMany(c => c.Rows).Select(r => r["n"].Value.AsInteger).Order(), Is.EqualTo(Enumerable.Range(1, 25).Select(n => (long)n)));
        Assert.Throws<ArgumentException>(() => reader.ReadChunksAsync(noKey, "10", ct));
    }

    [Test]
    public async Task Describing_a_missing_table_says_to_check_the_sync_rules()
    {
        var ct = Timeout();
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        var reader = new PostgresSnapshotReader(dataSource, new PostgresValueMapper(new PostgresTypeCatalog(dataSource), ValueMappingOptions.Legacy));

        var ex = Assert.ThrowsAsync<PowerSyncException>(() => reader.DescribeTableAsync("public", "nope", ct));
        Assert.That(ex!.Code, Is.EqualTo(ReplicationErrorCodes.SourceQueryFailed));
        Assert.That(ex.Message, Does.Contain("\"public\".\"nope\""));
    }
}
