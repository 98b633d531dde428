using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// Where the source's WAL is now, and the position a replication slot has confirmed (null when the slot
/// does not exist): the WAL between the two is what Postgres keeps for the slot.
/// </summary>
internal sealed record SourceWalPosition(Lsn Current, Lsn? ConfirmedFlush)
{
    /// <summary>Bytes of WAL the slot keeps (null without the slot).</summary>
    public long? RetainedBytes => ConfirmedFlush is { } confirmed
        ? (long)(Current.Value > confirmed.Value ? Current.Value - confirmed.Value : 0)
        : null;

    /// <summary>Reads both in one query (on a standby the current position is the last replayed one).</summary>
    /// <exception cref="PowerSyncException">The source cannot be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static Task<SourceWalPosition> ReadAsync(NpgsqlDataSource source, string slotName, CancellationToken cancellationToken) =>
        SourceQuery.RunAsync(source, async connection =>
        {
            var command = new NpgsqlCommand("""
                SELECT (CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END)::text,
                       (SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = $1)
                """, connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = slotName });
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var current = reader.IsDBNull(0) ? Lsn.Zero : Lsn.Parse(reader.GetString(0));
                    Lsn? confirmed = reader.IsDBNull(1) ? null : Lsn.Parse(reader.GetString(1));
                    return new SourceWalPosition(current, confirmed);
                }
            }
        }, cause => $"The source database cannot be queried: {cause.Message}", cancellationToken);
}
