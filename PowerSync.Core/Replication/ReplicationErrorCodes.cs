namespace PowerSync.Core.Replication;

/// <summary>
/// Error codes raised by Postgres replication. Where the official PowerSync service has a code for
/// the same condition it is reused (<c>PSYNC_S11xx</c>); codes of our own are <c>PSYNC_N10xx</c>.
/// </summary>
public static class ReplicationErrorCodes
{
    /// <summary>Replication assertion error (a bug or an unexpected server response).</summary>
    public const string AssertionFailed = "PSYNC_S1101";

    /// <summary>Error querying the source database.</summary>
    public const string SourceQueryFailed = "PSYNC_S1120";

    /// <summary>The publication does not exist.</summary>
    public const string PublicationMissing = "PSYNC_S1141";

    /// <summary>The publication does not publish insert, update, delete and truncate.</summary>
    public const string PublicationIncomplete = "PSYNC_S1142";

    /// <summary>The publication uses <c>publish_via_partition_root</c>.</summary>
    public const string PublicationViaPartitionRoot = "PSYNC_S1143";

    /// <summary>Row level security is enabled on a table and the role does not bypass it (warning).</summary>
    public const string RowLevelSecurity = "PSYNC_S1145";

    /// <summary>The replication slot was invalidated or is missing.</summary>
    public const string SlotInvalidated = "PSYNC_S1146";

    /// <summary>The source configuration is not usable for logical replication (summary of all problems).</summary>
    public const string SourceNotReady = "PSYNC_N1000";

    /// <summary><c>wal_level</c> is not <c>logical</c>.</summary>
    public const string WalLevelNotLogical = "PSYNC_N1001";

    /// <summary>The role may not replicate (neither REPLICATION nor superuser).</summary>
    public const string RoleCannotReplicate = "PSYNC_N1002";

    /// <summary>No free replication slot is left (<c>max_replication_slots</c>).</summary>
    public const string NoFreeReplicationSlot = "PSYNC_N1003";

    /// <summary>No free WAL sender is left (<c>max_wal_senders</c>).</summary>
    public const string NoFreeWalSender = "PSYNC_N1004";

    /// <summary>A published table cannot identify its rows (REPLICA IDENTITY NOTHING, or DEFAULT without a primary key) (warning).</summary>
    public const string NoReplicaIdentity = "PSYNC_N1005";

    /// <summary>The publication publishes no tables (warning).</summary>
    public const string PublicationEmpty = "PSYNC_N1006";

    /// <summary>The Postgres server is older than the oldest supported version.</summary>
    public const string ServerTooOld = "PSYNC_N1007";

    /// <summary>A value in the replication stream or a snapshot could not be decoded.</summary>
    public const string ValueDecodingFailed = "PSYNC_N1010";

    /// <summary>The replication stream sent a message that is not valid at this point (protocol error).</summary>
    public const string UnexpectedMessage = "PSYNC_N1011";

    /// <summary>The replication connection was silent for longer than the configured timeout.</summary>
    public const string ReplicationTimeout = "PSYNC_N1012";

    /// <summary>The replication connection failed or could not be opened (network error, Postgres restarting, shutting down or refusing connections).</summary>
    public const string ConnectionLost = "PSYNC_N1013";
}
