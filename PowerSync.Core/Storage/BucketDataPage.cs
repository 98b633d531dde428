namespace PowerSync.Core.Storage;

/// <summary>A page of a bucket's ops in <c>(After, checkpoint]</c>.</summary>
internal sealed record BucketDataPage(string Bucket, OpId After, IReadOnlyList<OplogEntry> Ops, bool HasMore)
{
    /// <summary>The last op id in this page (the client's next <c>after</c>); <see cref="After"/> when empty.</summary>
    public OpId NextAfter => Ops.Count == 0 ? After : Ops[^1].OpId;
}
