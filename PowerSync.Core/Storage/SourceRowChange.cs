namespace PowerSync.Core.Storage;

/// <summary>What a source row is in, once sync rules have evaluated it.</summary>
internal enum RowChangeKind : byte
{
    /// <summary>Inserted or updated: the row is now in exactly <see cref="SourceRowChange.Buckets"/>.</summary>
    Upsert,

    /// <summary>Deleted: the row leaves every bucket and lookup it was in.</summary>
    Delete,

    /// <summary>
    /// Inserted, as the source says (a streamed INSERT or a snapshot row): an <see cref="Upsert"/> whose row is
    /// most likely not stored. It still may be (a snapshot overlapping the stream, a replay, identical rows of a
    /// table without a key), so a store may only skip looking it up where it can verify the absence as it writes.
    /// </summary>
    Insert,
}

/// <summary>One evaluated data row: it belongs to <paramref name="Bucket"/> with this data (exact JSON text).</summary>
internal sealed record BucketRow(string Bucket, string ObjectType, string ObjectId, string Data);

/// <summary>One parameter-lookup entry a row produces: <paramref name="Lookup"/> (canonical key text) yields <paramref name="Parameters"/> (JSON text).</summary>
internal sealed record ParameterLookupRow(string Lookup, string Parameters);

/// <summary>
/// A source row's change, evaluated: the buckets and lookups it is in <em>now</em> (storage diffs them
/// against what it was in before, emitting REMOVEs where it left), and its raw row for filling in
/// unchanged TOAST values later (empty when not kept, e.g. REPLICA IDENTITY FULL tables). Storage
/// keeps a raw row that spans a whole array without copying it: do not reuse that array afterwards.
/// A primary-key change is a <see cref="RowChangeKind.Delete"/> of the old replica id and an
/// <see cref="RowChangeKind.Upsert"/> of the new one.
/// </summary>
internal sealed record SourceRowChange(
    SourceTable Table,
    string ReplicaId,
    RowChangeKind Kind,
    IReadOnlyList<BucketRow> Buckets,
    IReadOnlyList<ParameterLookupRow> Lookups,
    ReadOnlyMemory<byte> RawRow)
{
    public static SourceRowChange Delete(SourceTable table, string replicaId) =>
        new(table, replicaId, RowChangeKind.Delete, [], [], ReadOnlyMemory<byte>.Empty);
}
