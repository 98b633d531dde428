namespace PowerSync.Core.SyncRules.Queries;

/// <summary>Table-lookup parameter queries of bucket definitions.</summary>
internal sealed class ParameterQueryBucketSource(string bucketPrefix, IReadOnlyList<(string Lookup, BucketDefinition Definition, ParameterQuery Query)> pending)
    : DynamicBucketSource
{
    public override IEnumerable<string> Lookups => pending.Select(p => p.Lookup);

    public override IEnumerable<ResolvedBucket> Resolve(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup)
    {
        foreach (var (lookup, definition, query) in pending)
        {
            foreach (var text in Fetched(parametersByLookup, lookup))
            {
                foreach (var row in ParameterQuery.ParseRows(text))
                {
                    if (definition.BucketId(bucketPrefix, row) is { } bucket)
                    {
                        yield return new ResolvedBucket(bucket, query.Priority ?? definition.Priority, definition.Name);
                    }
                }
            }
        }
    }
}
