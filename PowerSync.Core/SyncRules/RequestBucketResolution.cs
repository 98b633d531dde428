namespace PowerSync.Core.SyncRules;

/// <summary>
/// The buckets of one connection: <see cref="StaticBuckets"/> are known from the request alone;
/// <see cref="Lookups"/> must be read from parameter storage (by exact key) at each checkpoint and
/// passed to <see cref="ResolveLookups"/> to get the remaining buckets.
/// </summary>
public sealed class RequestBucketResolution
{
    private readonly IReadOnlyList<DynamicBucketSource> _sources;

    internal RequestBucketResolution(IReadOnlyList<ResolvedBucket> staticBuckets, IReadOnlyList<DynamicBucketSource> sources, IReadOnlyList<EvaluationError> errors)
    {
        StaticBuckets = staticBuckets;
        _sources = sources;
        Errors = errors;
        Lookups = sources.SelectMany(s => s.Lookups).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Buckets that depend only on the request (global buckets, static and json_each queries, stream buckets without subqueries).</summary>
    public IReadOnlyList<ResolvedBucket> StaticBuckets { get; }

    /// <summary>Parameter-lookup keys to read from storage (identical to <see cref="EvaluatedParameterLookup.Lookup"/>).</summary>
    public IReadOnlyList<string> Lookups { get; }

    /// <summary>True when some buckets depend on parameter storage (even if <see cref="Lookups"/> is empty for this request).</summary>
    public bool HasDynamicBuckets => _sources.Count > 0;

    /// <summary>Problems evaluating request-side expressions (the affected query or subscription contributes no bucket).</summary>
    public IReadOnlyList<EvaluationError> Errors { get; }

    /// <summary>
    /// Turns stored parameter rows into buckets. <paramref name="parametersByLookup"/> maps each lookup
    /// key to the <see cref="EvaluatedParameterLookup.Parameters"/> texts currently stored for it
    /// (missing keys mean no rows). Returns the dynamic buckets, de-duplicated (lowest priority number, every inclusion reason).
    /// </summary>
    public IReadOnlyList<ResolvedBucket> ResolveLookups(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup)
    {
        ArgumentNullException.ThrowIfNull(parametersByLookup);
        var result = new Dictionary<string, ResolvedBucket>(StringComparer.Ordinal);
        foreach (var source in _sources)
        {
            foreach (var bucket in source.Resolve(parametersByLookup))
            {
                result[bucket.Bucket] = result.TryGetValue(bucket.Bucket, out var existing) ? existing.Merge(bucket) : bucket;
            }
        }

        return result.Values.ToList();
    }
}
