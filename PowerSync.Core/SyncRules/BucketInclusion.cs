namespace PowerSync.Core.SyncRules;

/// <summary>
/// Why a bucket is in a connection: a default subscription (bucket definitions and auto-subscribed streams), or
/// an explicit stream subscription of the request.
/// </summary>
/// <param name="Subscription">The request's subscription that brought the bucket; null for a default subscription.</param>
public sealed record BucketInclusion(StreamSubscription? Subscription)
{
    /// <summary>A default subscription: a bucket definition, or an auto-subscribed stream.</summary>
    public static BucketInclusion Default { get; } = new((StreamSubscription?)null);

    /// <summary>True for a default subscription.</summary>
    public bool IsDefault => Subscription is null;
}
