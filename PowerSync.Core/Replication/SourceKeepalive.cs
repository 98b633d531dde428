using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// Writes the <c>powersync</c>/<c>ping</c> logical message into the WAL (non-transactional), which the
/// stream delivers as a <see cref="LogicalMessage"/>. On an idle source this gives replication a position
/// to checkpoint and acknowledge, so write checkpoints still advance.
/// </summary>
internal static class SourceKeepalive
{
    /// <summary>The message prefix the official service uses.</summary>
    public const string Prefix = "powersync";

    /// <summary>The message content.</summary>
    public const string Content = "ping";

    /// <summary>The query that emits the message and returns its LSN as text.</summary>
    public const string EmitSql = $"SELECT pg_logical_emit_message(false, '{Prefix}', '{Content}')::text";

    /// <summary>Emits the message; returns its LSN.</summary>
    /// <exception cref="PowerSyncException">The source cannot be queried or refuses the function (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).</exception>
    public static Task<Lsn> EmitAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        SourceQuery.RunAsync(dataSource, async connection =>
        {
            using var command = new NpgsqlCommand(EmitSql, connection);
            return Lsn.Parse((string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? "0/0");
        }, cause => $"Could not write the keepalive message to the source WAL: {cause.Message}. {SourceQuery.Remedy(cause)}", cancellationToken);

    /// <summary>True for the keepalive message.</summary>
    public static bool IsKeepalive(LogicalMessage message) =>
        !message.Transactional && string.Equals(message.Prefix, Prefix, StringComparison.Ordinal);
}
