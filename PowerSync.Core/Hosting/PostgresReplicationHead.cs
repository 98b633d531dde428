using Npgsql;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Reads <c>pg_current_wal_lsn()</c>, then emits a non-transactional <c>powersync</c>/<c>ping</c>
/// logical message so replication sees WAL past that point even when nothing else is written.
/// </summary>
internal sealed class PostgresReplicationHead(NpgsqlDataSource source) : IReplicationHead
{
    public async Task<Lsn> CurrentAsync(CancellationToken ct)
    {
        var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var cmd = new NpgsqlCommand(
                "SELECT pg_current_wal_lsn()::text, pg_logical_emit_message(false, 'powersync', 'ping')::text", connection);
            var lsn = (string?)await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return Lsn.Parse(lsn ?? throw new InvalidOperationException("pg_current_wal_lsn() returned NULL."));
        }
    }
}
