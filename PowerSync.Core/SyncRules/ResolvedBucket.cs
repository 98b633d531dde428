namespace PowerSync.Core.SyncRules;

/// <summary>A bucket a client may sync: id, priority (0 highest ... 3 default) and the definition or stream it comes from.</summary>
public sealed record ResolvedBucket(string Bucket, int Priority, string Definition)
{
    /// <summary>
    /// Why the bucket is included: the default subscription, the stream subscriptions that brought it, or both
    /// (a bucket reached several ways is listed once, with every reason and the lowest priority number).
    /// </summary>
    public IReadOnlyList<BucketInclusion> InclusionReasons { get; init; } = [BucketInclusion.Default];

    /// <inheritdoc />
    public bool Equals(ResolvedBucket? other) =>
        other is not null && Bucket == other.Bucket && Priority == other.Priority && Definition == other.Definition
        && InclusionReasons.SequenceEqual(other.InclusionReasons);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Bucket, Priority, Definition, InclusionReasons.Count);

    /// <summary>The same bucket reached another way: the lower priority number, and both sets of reasons.</summary>
    internal ResolvedBucket Merge(ResolvedBucket other) => this with
    {
        Priority = Math.Min(Priority, other.Priority),
        InclusionReasons = InclusionReasons.Concat(other.InclusionReasons).Distinct().ToList(),
    };
}
