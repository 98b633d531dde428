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

    /// <summary>Emits the message; returns its LSN.</summary>
    public static async Task<Lsn> EmitAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var command = dataSource.CreateCommand($"SELECT pg_logical_emit_message(false, '{Prefix}', '{Content}')::text");
        await using (command.ConfigureAwait(false))
        {
            try
            {
                var text = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return Lsn.Parse(text ?? "0/0");
            }
            catch (NpgsqlException ex)
            {
                throw new PowerSyncException(
                    ReplicationErrorCodes.SourceQueryFailed,
                    $"Could not write the keepalive message to the source WAL: {ex.Message}. Check that the replication role may execute pg_logical_emit_message.",
                    ex);
            }
        }
    }

    /// <summary>True for the keepalive message.</summary>
    public static bool IsKeepalive(LogicalMessage message) =>
        !message.Transactional && string.Equals(message.Prefix, Prefix, StringComparison.Ordinal);
}
