using Npgsql;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Reads <c>pg_current_wal_insert_lsn()</c> — past every commit made so far, even one whose WAL is not
/// flushed yet (<c>synchronous_commit = off</c>), which <c>pg_current_wal_lsn()</c> can lag behind —
/// and, once the write checkpoint is recorded at it, emits a non-transactional <c>powersync</c>/<c>ping</c>
/// logical message, so replication reaches a checkpoint past that point even when nothing else is written.
/// </summary>
internal sealed class PostgresReplicationHead(NpgsqlDataSource source) : IReplicationHead
{
    public async Task<T> RecordAtHeadAsync<T>(Func<Lsn, Task<T>> record, CancellationToken ct)
    {
        var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            Lsn lsn;
            using (var read = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", connection))
            {
                var text = (string?)await read.ExecuteScalarAsync(ct).ConfigureAwait(false);
                lsn = Lsn.Parse(text ?? throw new InvalidOperationException("pg_current_wal_insert_lsn() returned NULL."));
            }

            var result = await record(lsn).ConfigureAwait(false);
            using var ping = new NpgsqlCommand("SELECT pg_logical_emit_message(false, 'powersync', 'ping')::text", connection);
            await ping.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return result;
        }
    }
}
