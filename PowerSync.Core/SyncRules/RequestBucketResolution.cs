using PowerSync.Core.SyncRules.Queries;

namespace PowerSync.Core.SyncRules;

/// <summary>
/// The buckets of one connection: <see cref="StaticBuckets"/> are known from the request alone;
/// <see cref="Lookups"/> must be read from parameter storage (by exact key) at each checkpoint and
/// passed to <see cref="ResolveLookups"/> to get the remaining buckets.
/// </summary>
public sealed class RequestBucketResolution
{
    private readonly IReadOnlyList<(string Lookup, BucketDefinition Definition, ParameterQuery Query)> _pending;
    private readonly string _bucketPrefix;

    internal RequestBucketResolution(
        IReadOnlyList<ResolvedBucket> staticBuckets,
        IReadOnlyList<(string Lookup, BucketDefinition Definition, ParameterQuery Query)> pending,
        IReadOnlyList<EvaluationError> errors,
        string bucketPrefix)
    {
        StaticBuckets = staticBuckets;
        _pending = pending;
        Errors = errors;
        _bucketPrefix = bucketPrefix;
        Lookups = pending.Select(p => p.Lookup).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Buckets that depend only on the request (global buckets, static and json_each queries).</summary>
    public IReadOnlyList<ResolvedBucket> StaticBuckets { get; }

    /// <summary>Parameter-lookup keys to read from storage (identical to <see cref="EvaluatedParameterLookup.Lookup"/>).</summary>
    public IReadOnlyList<string> Lookups { get; }

    /// <summary>True when <see cref="Lookups"/> is not empty.</summary>
    public bool HasDynamicBuckets => Lookups.Count > 0;

    /// <summary>Problems evaluating request-side expressions (the affected query contributes no bucket).</summary>
    public IReadOnlyList<EvaluationError> Errors { get; }

    /// <summary>
    /// Turns stored parameter rows into buckets. <paramref name="parametersByLookup"/> maps each lookup
    /// key to the <see cref="EvaluatedParameterLookup.Parameters"/> texts currently stored for it
    /// (missing keys mean no rows). Returns the dynamic buckets, de-duplicated (lowest priority number wins).
    /// </summary>
    public IReadOnlyList<ResolvedBucket> ResolveLookups(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup)
    {
        ArgumentNullException.ThrowIfNull(parametersByLookup);
        var result = new Dictionary<string, ResolvedBucket>(StringComparer.Ordinal);
        foreach (var (lookup, definition, query) in _pending)
        {
            if (!parametersByLookup.TryGetValue(lookup, out var texts))
            {
                continue;
            }

            foreach (var text in texts)
            {
                foreach (var row in ParameterQuery.ParseRows(text))
                {
                    var bucket = SyncRulesSet.BucketId(_bucketPrefix, definition, row);
                    if (bucket is null)
                    {
                        continue;
                    }

                    var priority = query.Priority ?? definition.Priority;
                    if (!result.TryGetValue(bucket, out var existing) || existing.Priority > priority)
                    {
                        result[bucket] = new ResolvedBucket(bucket, priority, definition.Name);
                    }
                }
            }
        }

        return result.Values.ToList();
    }
}
