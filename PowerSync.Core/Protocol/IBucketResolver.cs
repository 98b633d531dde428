using PowerSync.Core.Auth;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>A bucket a connection may sync, with its priority and the subscriptions that put it there.</summary>
internal sealed record SessionBucket(string Name, int Priority, IReadOnlyList<BucketSubscription> Subscriptions);

/// <summary>The buckets of a connection at one checkpoint, and the streams they came from.</summary>
internal sealed record SessionBuckets(IReadOnlyList<SessionBucket> Buckets, IReadOnlyList<StreamDescription> Streams);

/// <summary>
/// Decides which buckets a client may sync: from its token claims, its request (parameters and
/// stream subscriptions) and parameter lookups read at the checkpoint. The sync rules implement it.
/// </summary>
internal interface IBucketResolver
{
    Task<SessionBuckets> ResolveAsync(SyncUser user, SyncRequest request, Checkpoint checkpoint, CancellationToken cancellationToken);
}
