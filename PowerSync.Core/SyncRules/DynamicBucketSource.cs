namespace PowerSync.Core.SyncRules;

/// <summary>Buckets of one connection that depend on parameter storage: the lookups to read, and how results become buckets.</summary>
internal abstract class DynamicBucketSource
{
    public abstract IEnumerable<string> Lookups { get; }

    /// <summary>Lookups that become known only from the rows of earlier ones (chained subqueries): none by default.</summary>
    public virtual IEnumerable<string> MoreLookups(IReadOnlySet<string> requested, IReadOnlyDictionary<string, IReadOnlyList<string>> fetched) => [];

    public abstract IEnumerable<ResolvedBucket> Resolve(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup);

    protected static IEnumerable<string> Fetched(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup, string lookup) =>
        parametersByLookup.TryGetValue(lookup, out var texts) ? texts : [];
}
