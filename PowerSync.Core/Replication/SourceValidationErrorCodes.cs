namespace PowerSync.Core.Replication;

/// <summary>
/// Codes of the check of the sync rules against the source database (<see cref="SourceValidationProblem.Code"/>):
/// each names a way the rules and the database disagree so that clients would silently get less data.
/// </summary>
public static class SourceValidationErrorCodes
{
    /// <summary>The start-up check found problems and <c>FailOnSourceValidationProblems</c> is set (the message lists them all).</summary>
    public const string ValidationFailed = "PSYNC_N4000";

    /// <summary>A data query or stream reads a table that does not exist (or a pattern no table matches).</summary>
    public const string TableMissing = "PSYNC_N4001";

    /// <summary>A table the rules read is not in the publication (or is a view, which cannot be published), so none of its rows replicate.</summary>
    public const string TableNotPublished = "PSYNC_N4002";

    /// <summary>A query reads a column its table does not have.</summary>
    public const string ColumnMissing = "PSYNC_N4003";

    /// <summary>A table the rules read cannot identify its rows (REPLICA IDENTITY NOTHING, or DEFAULT without a primary key).</summary>
    public const string ReplicaIdentityInadequate = "PSYNC_N4004";

    /// <summary>A parameter query or stream subquery reads a table that does not exist: its lookups find nothing.</summary>
    public const string ParameterTableMissing = "PSYNC_N4005";

    /// <summary>
    /// An inactive replication slot named like PowerSync's (<c>powersync_&lt;version&gt;_&lt;hex&gt;</c>) that belongs to no
    /// version of this bucket store keeps WAL at the source (a deleted or reset store's, or another instance's).
    /// </summary>
    public const string InactiveSlot = "PSYNC_N4006";

    /// <summary>
    /// The inactive slot of one of this store's retired versions is not dropped yet. PowerSync drops it itself once
    /// replication runs, so this never fails start-up (not even with <c>FailOnSourceValidationProblems</c>).
    /// </summary>
    public const string RetiredSlotNotDropped = "PSYNC_N4007";
}
