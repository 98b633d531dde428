namespace PowerSync.Client.Sync;

/// <summary>
/// What is known of a download into an empty op log (bulk mode), in memory while the <c>ps_oplog_row</c>
/// index is dropped; lost on restart, when the index is rebuilt and pending ops resolved instead.
/// </summary>
internal sealed class BulkLoad
{
    /// <summary>64-bit hashes of the (type, id) of every row saved since bulk mode began.</summary>
    public LongSet Rows { get; } = new();

    /// <summary>The row types saved since bulk mode began.</summary>
    public HashSet<string> Types { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// True while every saved op is a PUT with data of a row no other saved op names (no hash repeated):
    /// each op is then its row's winner, and a first apply can copy the op log in storage order.
    /// </summary>
    public bool RowsUnique { get; set; } = true;
}
