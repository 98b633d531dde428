using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// Reads <c>pg_current_wal_insert_lsn()</c> — past every commit made so far, even one whose WAL is not
/// flushed yet (<c>synchronous_commit = off</c>), which <c>pg_current_wal_lsn()</c> can lag behind —
/// and, once the write checkpoint is recorded at it, emits the keepalive message (<see cref="SourceKeepalive"/>),
/// so replication reaches a checkpoint past that point even when nothing else is written.
/// A source that cannot be reached is <see cref="ReplicationErrorCodes.SourceQueryFailed"/> (the endpoints
/// answer 503), not an unexpected failure.
/// </summary>
internal sealed class PostgresReplicationHead(NpgsqlDataSource source) : IReplicationHead
{
    public async Task<T> RecordAtHeadAsync<T>(Func<Lsn, Task<T>> record, CancellationToken cancellationToken)
    {
        var lsn = await ScalarAsync("SELECT pg_current_wal_insert_lsn()::text", cancellationToken).ConfigureAwait(false);
        var result = await record(Lsn.Parse(lsn ?? throw new InvalidOperationException("pg_current_wal_insert_lsn() returned NULL."))).ConfigureAwait(false);
        await ScalarAsync(SourceKeepalive.EmitSql, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private Task<string?> ScalarAsync(string sql, CancellationToken cancellationToken) =>
        SourceQuery.RunAsync(source, async connection =>
        {
            using var command = new NpgsqlCommand(sql, connection);
            return (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }, cause => $"The source database cannot be reached to place a write checkpoint ({cause.Message}); retry shortly.", cancellationToken);
}
