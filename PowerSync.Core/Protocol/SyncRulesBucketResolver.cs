using PowerSync.Core.Auth;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Protocol;

/// <summary>
/// Resolves a connection's buckets with the sync rules of the checkpoint's version: static buckets
/// from the token and request, plus buckets from parameter lookups read at that checkpoint.
/// The checkpoint's <c>streams</c> and each bucket's <c>subscriptions</c> follow the official service: bucket definitions
/// and auto-subscribed streams are default streams, and a bucket points at the default stream or at the request's
/// subscriptions that brought it; evaluation errors are reported on their stream, with the subscription they concern.
/// </summary>
internal sealed class SyncRulesBucketResolver(Func<long, SyncRulesSet> rulesOfVersion, IBucketStorageReader reader, int maxParameterResults = 1000)
    : IBucketResolver
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyncRequest, RequestParameters> _parameters = [];

    public async Task<SessionBuckets> ResolveAsync(SyncUser user, SyncRequest request, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var rules = rulesOfVersion(checkpoint.RulesVersion);
        // A session's claims and request never change: parse them into request parameters once.
        var parameters = _parameters.GetValue(request, r => new RequestParameters(user.Claims.GetRawText(), r.Parameters.GetRawText(),
            [.. r.Subscriptions.Select(s => new StreamSubscription(s.Stream, s.Parameters?.GetRawText(), s.OverridePriority))],
            r.IncludeDefaultStreams));
        var resolution = rules.ResolveRequest(parameters);

        var buckets = new List<ResolvedBucket>(resolution.StaticBuckets);
        if (resolution.HasDynamicBuckets)
        {
            var sets = await reader.GetParameterSetsAsync(checkpoint, resolution.Lookups, cancellationToken).ConfigureAwait(false);
            var requested = resolution.Lookups.ToHashSet(StringComparer.Ordinal);
            // Edition-3 streams can chain lookups (a subquery's input is another's output): read each round's keys.
            for (var more = resolution.MoreLookups(requested, sets); more.Count > 0; more = resolution.MoreLookups(requested, sets))
            {
                requested.UnionWith(more);
                var next = await reader.GetParameterSetsAsync(checkpoint, more, cancellationToken).ConfigureAwait(false);
                sets = sets.Concat(next).GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
            }

            var results = sets.Values.Sum(v => v.Count);
            if (results > maxParameterResults)
            {
                throw new PowerSyncException(ProtocolErrorCodes.TooManyBuckets,
                    $"Parameter queries returned {results} results for this connection; the limit is {maxParameterResults}. Narrow the sync rules for this user.");
            }
            var seen = buckets.Select(b => b.Bucket).ToHashSet(StringComparer.Ordinal);
            buckets.AddRange(resolution.ResolveLookups(sets).Where(b => seen.Add(b.Bucket)));
        }

        // As the official service: every source the client is subscribed to (a default one while defaults are included,
        // or one it names), in config order; a subscription to a stream the config lacks is listed nowhere.
        var subscriptions = parameters.Subscriptions;
        var requestIndex = new Dictionary<StreamSubscription, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < subscriptions.Count; i++) requestIndex[subscriptions[i]] = request.Subscriptions[i].Index;
        var named = request.Subscriptions.Select(s => s.Stream).ToHashSet(StringComparer.Ordinal);
        var errorsBySource = resolution.Errors.ToLookup(e => e.Definition, StringComparer.Ordinal);
        var streams = new List<StreamDescription>();
        var streamIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, isDefault) in rules.BucketDefinitionNames.Select(n => (n, true)).Concat(rules.StreamNames.Select(n => (n, rules.AutoSubscribedStreamNames.Contains(n)))))
        {
            if (!(isDefault && request.IncludeDefaultStreams) && !named.Contains(name)) continue;
            streamIndex[name] = streams.Count;
            var errors = errorsBySource[name].Select(e => new StreamError(
                e.Subscription is { } sub && requestIndex.TryGetValue(sub, out var index) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : "default", e.Message)).ToList();
            streams.Add(new StreamDescription(name, isDefault, errors));
        }

        var resolved = buckets.Select(b => new SessionBucket(b.Bucket, b.Priority, b.InclusionReasons
            .Select(r => r.Subscription is { } sub && requestIndex.TryGetValue(sub, out var index) ? new BucketSubscription(false, index)
                : streamIndex.TryGetValue(b.Definition, out var d) ? new BucketSubscription(true, d) : (BucketSubscription?)null)
            .OfType<BucketSubscription>().Distinct().ToList())).ToList();
        return new SessionBuckets(resolved, streams);
    }
}
