using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Replication;

/// <summary>
/// The snapshot and the stream compose: a chunked snapshot taken while the table keeps changing, followed by
/// the stream from the slot's consistent point, converges to the source table once the stream has passed the
/// WAL position recorded after the snapshot (the official service's "no checkpoint before" LSN).
/// </summary>
public sealed class SnapshotStreamConsistencyTests
{
    [Test]
    public async Task A_snapshot_under_concurrent_writes_plus_the_stream_converges_to_the_source_table()
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL); INSERT INTO items SELECT n, 0 FROM generate_series(1, 1000) AS n;", ct);
        await using var harness = await StreamHarness.CreateAsync(db, ct);
        var reader = new PostgresSnapshotReader(harness.DataSource, harness.Mapper, chunkSize: 100);
        var table = await reader.DescribeTableAsync("public", "items", ct);
        var random = new Random(5);
        var nextId = 1001;

        // A replica kept the way storage would: snapshot rows upserted, then changes applied in stream order.
        var replica = new Dictionary<long, long>();
        await foreach (var chunk in reader.ReadChunksAsync(table, null, ct))
        {
            foreach (var row in chunk.Rows) replica[row["id"].Value.AsInteger] = row["v"].Value.AsInteger;
            // Writes between chunks touch rows already read, rows not yet read, and new rows.
            await db.ExecuteAsync($"""
                UPDATE items SET v = v + 1 WHERE id IN ({random.Next(1, 1000)}, {random.Next(1, 1000)}, {random.Next(1, 1000)});
                DELETE FROM items WHERE id = {random.Next(1, 1000)};
                INSERT INTO items VALUES ({nextId++}, 7);
                UPDATE items SET id = id + 100000 WHERE id = {random.Next(1, 1000)};
                """, ct);
        }
        var noCheckpointBefore = await reader.CurrentWalLsnAsync(ct);
        await db.ExecuteAsync("UPDATE items SET v = v + 10 WHERE id % 7 = 0; DELETE FROM items WHERE id % 11 = 0;", ct);
        var end = await SourceKeepalive.EmitAsync(harness.DataSource, ct);

        var passedConsistentPoint = false;
        await foreach (var change in harness.Stream.ReadChangesAsync(Lsn.Zero, ct))
        {
            switch (change)
            {
                case RowInsert insert:
                    replica[insert.NewRow["id"].Value.AsInteger] = insert.NewRow["v"].Value.AsInteger;
                    break;
                case RowUpdate update:
                    if (update.OldRow is { } old) replica.Remove(old["id"].Value.AsInteger);
                    replica[update.NewRow["id"].Value.AsInteger] = update.NewRow["v"].Value.AsInteger;
                    break;
                case RowDelete delete:
                    replica.Remove(delete.OldRow["id"].Value.AsInteger);
                    break;
                case TransactionCommit commit when commit.EndLsn >= noCheckpointBefore:
                    passedConsistentPoint = true;
                    break;
            }
            if (change is LogicalMessage message && message.MessageLsn == end) break;
        }

        var source = new Dictionary<long, long>();
        await using (var connection = await db.OpenConnectionAsync(ct))
        await using (var command = new Npgsql.NpgsqlCommand("SELECT id, v FROM items", connection))
        await using (var rows = await command.ExecuteReaderAsync(ct))
        {
            while (await rows.ReadAsync(ct)) source[rows.GetInt32(0)] = rows.GetInt32(1);
        }

        Assert.That(passedConsistentPoint, Is.True);
        Assert.That(replica, Is.EquivalentTo(source));
    }
}
