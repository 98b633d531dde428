namespace PowerSync.Core.Admin;

/// <summary>
/// Which buckets a user would receive and how many rows each holds, evaluated against the source database as it
/// is now (<see cref="PowerSyncAdmin.PreviewAsync"/>), exactly as replication and a sync request would evaluate them.
/// </summary>
/// <param name="UserId">The user previewed.</param>
/// <param name="RulesVersion">The bucket store's version of these rules whose id prefixes versioned bucket ids, or null.</param>
/// <param name="Buckets">The buckets, by priority then id.</param>
/// <param name="SourceRowsRead">Rows read from the source (each table the rules read, once or twice: for lookups, then for data).</param>
/// <param name="TablesRead">The source tables read (<c>schema.table</c>).</param>
/// <param name="Notes">What makes the result differ from what one might expect (unpublished tables, unversioned ids, too many buckets).</param>
/// <param name="EvaluationErrors">Distinct errors evaluating the request or rows (the affected query gives no bucket or row), with how often each occurred.</param>
public sealed record BucketPreview(
    string UserId,
    long? RulesVersion,
    IReadOnlyList<PreviewBucket> Buckets,
    long SourceRowsRead,
    IReadOnlyList<string> TablesRead,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> EvaluationErrors)
{
    /// <summary>Rows over all buckets (a row in two buckets counts twice, as it is sent twice).</summary>
    public long TotalRows => Buckets.Sum(b => b.Rows);
}
