namespace PowerSync.Core.Replication;

/// <summary>
/// A table to snapshot: its relation (columns as pgoutput would describe them, so snapshot rows and
/// streamed rows line up) and, when it has a single-column primary key of an orderable type
/// (text, varchar, uuid, int2/4/8), that column: the table is then read in resumable key-ordered chunks.
/// </summary>
internal sealed record SnapshotTable(SourceRelation Relation, SourceColumn? ChunkKey, string? ChunkKeyTypeName)
{
    /// <summary>True when the table is read <c>WHERE key &gt; last ORDER BY key LIMIT n</c>, resumable after any chunk.</summary>
    public bool IsChunkedByKey => ChunkKey is not null;
}

/// <summary>
/// One chunk of a table snapshot. <see cref="LastKey"/> is the chunk key's text of the last row (persist it
/// with the chunk's rows to resume after it); null for tables read through a cursor, which restart from the beginning.
/// </summary>
internal sealed record SnapshotChunk(SnapshotTable Table, IReadOnlyList<ReplicatedRow> Rows, string? LastKey);
