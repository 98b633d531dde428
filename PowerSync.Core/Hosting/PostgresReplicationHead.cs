using Npgsql;
using PowerSync.Core.Replication;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Reads <c>pg_current_wal_insert_lsn()</c> — past every commit made so far, even one whose WAL is not
/// flushed yet (<c>synchronous_commit = off</c>), which <c>pg_current_wal_lsn()</c> can lag behind —
/// and, once the write checkpoint is recorded at it, emits a non-transactional <c>powersync</c>/<c>ping</c>
/// logical message, so replication reaches a checkpoint past that point even when nothing else is written.
/// A source that cannot be reached is <see cref="ReplicationErrorCodes.SourceQueryFailed"/> (the endpoints
/// answer 503), not an unexpected failure.
/// </summary>
internal sealed class PostgresReplicationHead(NpgsqlDataSource source) : IReplicationHead
{
    public async Task<T> RecordAtHeadAsync<T>(Func<Lsn, Task<T>> record, CancellationToken ct)
    {
        try
        {
            var (connection, lsn) = await ReadHeadAsync(ct).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var result = await record(lsn).ConfigureAwait(false);
                using var ping = new NpgsqlCommand("SELECT pg_logical_emit_message(false, 'powersync', 'ping')::text", connection);
                await ping.ExecuteScalarAsync(ct).ConfigureAwait(false);
                return result;
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new PowerSyncException(ReplicationErrorCodes.SourceQueryFailed,
                $"The source database cannot be reached to place a write checkpoint ({e.Message}); retry shortly.", e);
        }
    }

    /// <summary>
    /// The head position, on the connection that read it. A pooled connection that a Postgres restart broke
    /// fails its first command: that read is tried once more on a fresh connection (nothing was recorded yet).
    /// </summary>
    private async Task<(NpgsqlConnection Connection, Lsn Lsn)> ReadHeadAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
            try
            {
                using var read = new NpgsqlCommand("SELECT pg_current_wal_insert_lsn()::text", connection);
                var text = (string?)await read.ExecuteScalarAsync(ct).ConfigureAwait(false);
                return (connection, Lsn.Parse(text ?? throw new InvalidOperationException("pg_current_wal_insert_lsn() returned NULL.")));
            }
            catch (NpgsqlException e) when (attempt == 1 && e.IsTransient)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }
}
