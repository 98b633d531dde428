using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>The health of a replication slot as <c>pg_replication_slots</c> reports it.</summary>
internal enum ReplicationSlotHealth
{
    /// <summary>The slot does not exist.</summary>
    Missing,

    /// <summary>The slot exists and can stream.</summary>
    Healthy,

    /// <summary>The slot exists but Postgres removed WAL it needs (<c>wal_status = 'lost'</c>) or invalidated it.</summary>
    Lost,
}

/// <summary>A replication slot's health, confirmed position and whether a connection streams from it now.</summary>
internal sealed record ReplicationSlotState(ReplicationSlotHealth Health, Lsn ConfirmedFlushLsn, bool Active)
{
    private const string Query = """
        SELECT wal_status, confirmed_flush_lsn::text, active, to_jsonb(s) ->> 'invalidation_reason'
        FROM pg_catalog.pg_replication_slots s WHERE slot_name = $1
        """;

    /// <summary>Reads the slot's state (a missing slot is <see cref="ReplicationSlotHealth.Missing"/>, not an error).</summary>
    public static async Task<ReplicationSlotState> ReadAsync(NpgsqlDataSource dataSource, string slotName, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = new NpgsqlCommand(Query, connection) { Parameters = { new() { Value = slotName } } };
                await using (command.ConfigureAwait(false))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            return new ReplicationSlotState(ReplicationSlotHealth.Missing, Lsn.Zero, false);
                        }
                        var lost = (!reader.IsDBNull(0) && reader.GetString(0) == "lost") || !reader.IsDBNull(3);
                        var confirmed = reader.IsDBNull(1) ? Lsn.Zero : Lsn.Parse(reader.GetString(1));
                        return new ReplicationSlotState(lost ? ReplicationSlotHealth.Lost : ReplicationSlotHealth.Healthy, confirmed, reader.GetBoolean(2));
                    }
                }
            }
        }
        catch (NpgsqlException ex)
        {
            throw new PowerSyncException(
                ReplicationErrorCodes.SourceQueryFailed,
                $"Could not read the state of replication slot '{slotName}': {ex.Message}.",
                ex);
        }
    }
}
