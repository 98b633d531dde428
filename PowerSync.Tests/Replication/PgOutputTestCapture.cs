using System.Text;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Replication;

/// <summary>One inserted row as pgoutput sent it: column name, type OID and text (null for NULL).</summary>
public sealed record CapturedRow(IReadOnlyList<(string Name, uint TypeOid, string? Text)> Columns)
{
    public string? this[string name] => Columns.Single(c => c.Name == name).Text;
}

/// <summary>
/// Captures the raw pgoutput text of the rows inserted by one transaction, straight from Npgsql,
/// so value-mapping tests see exactly what the replication stream receives.
/// </summary>
public static class PgOutputTestCapture
{
    /// <summary>Creates a publication for all tables and a slot, runs <paramref name="insertSql"/>, returns its inserted rows.</summary>
    public static async Task<List<CapturedRow>> CaptureInsertsAsync(TestDatabase db, string insertSql, CancellationToken ct)
    {
        await db.ExecuteAsync($"CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES", ct);
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Timezone = "UTC" }.ConnectionString;
        var rows = new List<CapturedRow>();
        await using (var replication = new LogicalReplicationConnection(connectionString))
        {
            await CaptureAsync(replication, db, insertSql, rows, ct);
        }
        await StreamHarness.EndWalSendersAsync(db);
        return rows;
    }

    private static async Task CaptureAsync(LogicalReplicationConnection replication, TestDatabase db, string insertSql, List<CapturedRow> rows, CancellationToken ct)
    {
        await replication.Open(ct);
        var slot = await replication.CreatePgOutputReplicationSlot(
            db.SlotName, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: ct);

        await db.ExecuteAsync(insertSql, ct);

        await foreach (var message in replication.StartReplication(
            slot, new PgOutputReplicationOptions(db.PublicationName, PgOutputProtocolVersion.V1), ct))
        {
            if (message is InsertMessage insert)
            {
                var columns = new List<(string, uint, string?)>();
                var i = 0;
                await foreach (var value in insert.NewRow)
                {
                    var column = insert.Relation.Columns[i++];
                    string? text = null;
                    if (!value.IsDBNull)
                    {
                        await using var stream = value.GetStream();
                        using var reader = new StreamReader(stream, Encoding.UTF8);
                        text = await reader.ReadToEndAsync(ct);
                    }
                    columns.Add((column.ColumnName, column.DataTypeId, text));
                }
                rows.Add(new CapturedRow(columns));
            }
            replication.SetReplicationStatus(message.WalEnd);
            if (message is CommitMessage) break;
        }
    }
}
