namespace PowerSync.Core.Admin;

/// <summary>One bucket a user would sync, and what is in it now.</summary>
/// <param name="Bucket">The bucket id, as clients see it (<c>by_user["u1"]</c>, with the <c>&lt;version&gt;#</c> prefix when ids are versioned).</param>
/// <param name="Definition">The bucket definition or stream it comes from.</param>
/// <param name="Priority">Its priority (0 syncs first; 3 is the default).</param>
/// <param name="Rows">Rows in the bucket.</param>
/// <param name="RowsByTable">Rows by the client-side table they land in (the query's output table name).</param>
public sealed record PreviewBucket(string Bucket, string Definition, int Priority, long Rows, IReadOnlyDictionary<string, long> RowsByTable);
