using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// How replication slots stand at the source, for a status report: whether each exists and is streamed
/// from now, what it has confirmed, the WAL Postgres keeps for it, and how far it is behind the source.
/// </summary>
/// <param name="Name">The slot.</param>
/// <param name="Exists">Whether the slot exists in the source database.</param>
/// <param name="Active">Whether a connection streams from it now.</param>
/// <param name="WalStatus"><c>pg_replication_slots.wal_status</c> (<c>reserved</c>, <c>extended</c>, <c>unreserved</c>, <c>lost</c>), or null.</param>
/// <param name="ConfirmedFlush">The position the slot's consumer has confirmed as durable.</param>
/// <param name="RetainedWalBytes">WAL Postgres keeps for the slot (from its restart position to the current one).</param>
/// <param name="LagBytes">WAL written since the confirmed position: what replication has not made durable yet.</param>
/// <param name="FlushLag">How long ago the source wrote the WAL the consumer last confirmed (<c>pg_stat_replication.flush_lag</c>), while it streams.</param>
internal sealed record SourceSlotStatus(
    string Name, bool Exists, bool Active, string? WalStatus, Lsn? ConfirmedFlush, long? RetainedWalBytes, long? LagBytes, TimeSpan? FlushLag)
{
    private const string Query = """
        SELECT n.name, s.slot_name IS NOT NULL, coalesce(s.active, false), s.wal_status::text, s.confirmed_flush_lsn::text,
               pg_catalog.pg_wal_lsn_diff(w.lsn, s.restart_lsn)::bigint,
               pg_catalog.pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint,
               r.flush_lag
        FROM unnest($1::text[]) AS n(name)
        CROSS JOIN (SELECT $2::pg_lsn AS lsn) w
        LEFT JOIN pg_catalog.pg_replication_slots s ON s.slot_name = n.name
        LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid
        """;

    /// <summary>Reads the source's current WAL position and the named slots (missing ones with <see cref="Exists"/> false), in one query.</summary>
    /// <exception cref="PowerSyncException">The source cannot be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static async Task<(Lsn Current, IReadOnlyList<SourceSlotStatus> Slots)> ReadAsync(NpgsqlDataSource source, IReadOnlyList<string> slotNames, CancellationToken cancellationToken)
    {
        // Where the source is, as the health check reads it; the slots' figures are measured against the same position.
        var position = await SourceWalPosition.ReadAsync(source, slotNames.Count > 0 ? slotNames[0] : "", cancellationToken).ConfigureAwait(false);
        var slots = await SourceQuery.RunAsync(source, async connection =>
        {
            var slots = new List<SourceSlotStatus>();
            var command = new NpgsqlCommand(Query, connection) { Parameters = { new() { Value = slotNames.ToArray() }, new() { Value = position.Current.ToString() } } };
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        slots.Add(new SourceSlotStatus(
                            reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2),
                            reader.IsDBNull(3) ? null : reader.GetString(3),
                            reader.IsDBNull(4) ? null : Lsn.Parse(reader.GetString(4)),
                            reader.IsDBNull(5) ? null : Math.Max(0, reader.GetInt64(5)),
                            reader.IsDBNull(6) ? null : Math.Max(0, reader.GetInt64(6)),
                            reader.IsDBNull(7) ? null : reader.GetFieldValue<TimeSpan>(7)));
                    }
                }
            }
            return slots;
        }, cause => $"The source database cannot be queried for the state of its replication slots: {cause.Message}. {SourceQuery.Remedy(cause)}", cancellationToken).ConfigureAwait(false);
        return (position.Current, slots);
    }
}
