using PowerSync.Core.Auth;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Protocol;

/// <summary>
/// Resolves a connection's buckets with the sync rules of the checkpoint's version: static buckets
/// from the token and request, plus buckets from parameter lookups read at that checkpoint.
/// Bucket definitions and auto-subscribed streams are listed as default streams; explicitly
/// subscribed streams point at the request's subscription index.
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
            var results = sets.Values.Sum(v => v.Count);
            if (results > maxParameterResults)
            {
                throw new PowerSyncException(ProtocolErrorCodes.TooManyBuckets,
                    $"Parameter queries returned {results} results for this connection; the limit is {maxParameterResults}. Narrow the sync rules for this user.");
            }
            var seen = buckets.Select(b => b.Bucket).ToHashSet(StringComparer.Ordinal);
            buckets.AddRange(resolution.ResolveLookups(sets).Where(b => seen.Add(b.Bucket)));
        }

        var streams = new List<StreamDescription>();
        var defaultIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var definition in rules.BucketDefinitionNames) AddDefault(definition);
        var explicitStreams = request.Subscriptions.ToLookup(s => s.Stream, s => s.Index, StringComparer.Ordinal);
        foreach (var bucket in buckets)
        {
            if (!defaultIndex.ContainsKey(bucket.Definition) && !explicitStreams.Contains(bucket.Definition)) AddDefault(bucket.Definition);
        }
        foreach (var stream in explicitStreams.Select(g => g.Key))
        {
            if (!defaultIndex.ContainsKey(stream)) streams.Add(new StreamDescription(stream, false, []));
        }
        var errors = resolution.Errors.Select(e => new StreamError("default", e.ToString() ?? "")).ToList();
        if (errors.Count > 0 && streams.Count > 0) streams[0] = streams[0] with { Errors = errors };

        var resolved = buckets.Select(b =>
        {
            var subs = new List<BucketSubscription>();
            if (defaultIndex.TryGetValue(b.Definition, out var d)) subs.Add(new BucketSubscription(true, d));
            subs.AddRange(explicitStreams[b.Definition].Select(i => new BucketSubscription(false, i)));
            return new SessionBucket(b.Bucket, b.Priority, subs);
        }).ToList();
        return new SessionBuckets(resolved, streams);

        void AddDefault(string name)
        {
            defaultIndex[name] = streams.Count;
            streams.Add(new StreamDescription(name, true, []));
        }
    }
}
