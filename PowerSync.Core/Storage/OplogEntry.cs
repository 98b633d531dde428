namespace PowerSync.Core.Storage;

/// <summary>
/// One op of a bucket as sessions stream it. PUT carries data; PUT/REMOVE carry the row identity;
/// MOVE/CLEAR carry only op id and checksum. <paramref name="TargetOp"/> is set on compacted ops: when
/// it is beyond the checkpoint being sent, compaction crossed that checkpoint.
/// </summary>
internal sealed record OplogEntry(
    OpId OpId,
    OpType Op,
    string? ObjectType,
    string? ObjectId,
    string? Subkey,
    string? Data,
    uint Checksum,
    OpId? TargetOp);

/// <summary>A bucket's checksum (sum of op checksums mod 2^32) and op count at a checkpoint.</summary>
internal readonly record struct BucketChecksum(string Bucket, uint Checksum, long Count)
{
    /// <summary>The checksum as the protocol sends it: a signed 32-bit integer.</summary>
    public int WireChecksum => unchecked((int)Checksum);
}

/// <summary>A page of a bucket's ops in <c>(After, checkpoint]</c>.</summary>
internal sealed record BucketDataPage(string Bucket, OpId After, IReadOnlyList<OplogEntry> Ops, bool HasMore)
{
    /// <summary>The last op id in this page (the client's next <c>after</c>); <see cref="After"/> when empty.</summary>
    public OpId NextAfter => Ops.Count == 0 ? After : Ops[^1].OpId;
}

/// <summary>Where a bucket read starts.</summary>
internal readonly record struct BucketPosition(string Bucket, OpId After);
