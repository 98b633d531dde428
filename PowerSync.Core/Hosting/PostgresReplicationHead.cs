using Npgsql;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Reads <c>pg_current_wal_insert_lsn()</c> — past every commit made so far, even one whose WAL is not
/// flushed yet (<c>synchronous_commit = off</c>), which <c>pg_current_wal_lsn()</c> can lag behind —
/// then emits a non-transactional <c>powersync</c>/<c>ping</c> logical message there, so replication
/// reaches a checkpoint at or past that point even when nothing else is written.
/// </summary>
internal sealed class PostgresReplicationHead(NpgsqlDataSource source) : IReplicationHead
{
    public async Task<Lsn> CurrentAsync(CancellationToken ct)
    {
        var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var cmd = new NpgsqlCommand(
                "SELECT pg_current_wal_insert_lsn()::text, pg_logical_emit_message(false, 'powersync', 'ping')::text", connection);
            var lsn = (string?)await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return Lsn.Parse(lsn ?? throw new InvalidOperationException("pg_current_wal_insert_lsn() returned NULL."));
        }
    }
}
