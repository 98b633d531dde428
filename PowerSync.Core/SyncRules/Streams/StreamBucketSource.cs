using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Queries;

namespace PowerSync.Core.SyncRules.Streams;

/// <summary>The buckets of one stream variant for one subscription that need subquery results from parameter storage.</summary>
internal sealed class StreamBucketSource(
    string bucketPrefix, SyncStream stream, StreamVariant variant, List<List<ParamValue>?> partial, int priority, BucketInclusion reason, RequestContext request)
    : DynamicBucketSource
{
    private readonly Dictionary<CompiledSubquery, List<string>> _lookups = variant.Subqueries.ToDictionary(s => s, s => s.RequestLookups(request).ToList());

    public override IEnumerable<string> Lookups => _lookups.Values.SelectMany(l => l);

    public override IEnumerable<ResolvedBucket> Resolve(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup)
    {
        var results = _lookups.ToDictionary(kv => kv.Key, kv => kv.Value
            .SelectMany(l => Fetched(parametersByLookup, l))
            .SelectMany(ParameterQuery.ParseRows)
            .Where(r => r.ContainsKey("result"))
            .Select(r => r["result"])
            .ToList());
        if (variant.ExistsFilters.Any(f => results[f].Count == 0))
        {
            return [];
        }

        var sets = new List<List<ParamValue>>();
        for (var i = 0; i < variant.Parameters.Count; i++)
        {
            sets.Add(variant.Parameters[i].Subquery is { } sub ? results[sub] : partial[i]!);
        }

        return StreamVariant.Product(sets).Select(values => new ResolvedBucket(stream.BucketId(bucketPrefix, variant, values), priority, stream.Name) { InclusionReasons = [reason] }).ToList();
    }
}
