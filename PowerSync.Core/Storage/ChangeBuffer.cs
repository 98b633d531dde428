namespace PowerSync.Core.Storage;

/// <summary>An op computed from a row change, waiting for its op id at flush.</summary>
internal readonly record struct PendingOp(string Bucket, OpType Op, string ObjectType, string ObjectId, string Subkey, string? Data, uint Checksum);

/// <summary>A parameter-lookup entry (or its retraction, when <paramref name="Parameters"/> is null) waiting for its op id.</summary>
internal readonly record struct PendingParameter(string Lookup, string Table, byte[] Key, string? Parameters);

/// <summary>
/// A buffered row change. Its ops are derived at flush, when the previous memberships of the whole
/// batch are loaded in bulk. <paramref name="KnownPrevious"/> skips that lookup (truncation reads it already).
/// </summary>
internal sealed record PendingChange(
    string Table,
    string ReplicaId,
    byte[] Key,
    RowChangeKind Kind,
    IReadOnlyList<BucketRow> Buckets,
    IReadOnlyList<ParameterLookupRow> Lookups,
    byte[]? Raw,
    RowMembership? KnownPrevious = null)
{
    /// <summary>
    /// A saved change as buffered: a raw row that spans a whole array (as the replicator's codec makes
    /// one per row) is kept as it is; a slice is copied.
    /// </summary>
    public static PendingChange From(SourceRowChange change)
    {
        var raw = change.Kind == RowChangeKind.Delete || change.RawRow.IsEmpty ? null
            : System.Runtime.InteropServices.MemoryMarshal.TryGetArray(change.RawRow, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : change.RawRow.ToArray();
        return new PendingChange(change.Table.QualifiedName, change.ReplicaId, SourceRowIdentity.Key(change.ReplicaId),
            change.Kind, change.Buckets, change.Lookups, raw);
    }

    /// <summary>The deletion of a stored row whose membership is already read (truncation).</summary>
    public static PendingChange Deleted(string table, byte[] key, RowMembership previous) =>
        new(table, System.Text.Encoding.UTF8.GetString(key), key, RowChangeKind.Delete, [], [], null, previous);
}

/// <summary>
/// Everything buffered since the last flush, in order, plus the newest raw row of each key touched
/// (so unchanged TOAST values can be filled from a change that is not flushed yet).
/// </summary>
internal sealed class ChangeBuffer
{
    public List<PendingChange> Changes { get; } = [];
    public Dictionary<(string Table, string ReplicaId), PendingChange> Latest { get; } = [];
    public Dictionary<string, TableSnapshotProgress> Progress { get; } = new(StringComparer.Ordinal);
    public long Bytes { get; private set; }

    public bool IsEmpty => Changes.Count == 0 && Progress.Count == 0;

    public void Add(PendingChange change)
    {
        Changes.Add(change);
        Latest[(change.Table, change.ReplicaId)] = change;
        Bytes += 128 + (change.Raw?.Length ?? 0);
        foreach (var row in change.Buckets) Bytes += 64 + row.Data.Length * 2L;
        foreach (var lookup in change.Lookups) Bytes += 64 + (lookup.Lookup.Length + lookup.Parameters.Length) * 2L;
    }

    public void Clear()
    {
        Changes.Clear();
        Latest.Clear();
        Progress.Clear();
        Bytes = 0;
    }
}
