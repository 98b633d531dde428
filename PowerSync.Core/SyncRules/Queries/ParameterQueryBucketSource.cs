namespace PowerSync.Core.SyncRules.Queries;

/// <summary>Table-lookup parameter queries of bucket definitions.</summary>
/// <remarks><c>RequestOutputs</c> holds the outputs the request computes itself (request values in the SELECT list), added to each stored row.</remarks>
internal sealed class ParameterQueryBucketSource(
    string bucketPrefix, IReadOnlyList<(string Lookup, BucketDefinition Definition, ParameterQuery Query, ParameterRow RequestOutputs)> pending)
    : DynamicBucketSource
{
    public override IEnumerable<string> Lookups => pending.Select(p => p.Lookup);

    public override IEnumerable<ResolvedBucket> Resolve(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup)
    {
        foreach (var (lookup, definition, query, requestOutputs) in pending)
        {
            foreach (var text in Fetched(parametersByLookup, lookup))
            {
                foreach (var row in ParameterQuery.ParseRows(text))
                {
                    foreach (var (name, value) in requestOutputs)
                    {
                        row[name] = value;
                    }

                    if (definition.BucketId(bucketPrefix, row, query) is { } bucket)
                    {
                        yield return new ResolvedBucket(bucket, query.Priority ?? definition.Priority, definition.Name);
                    }
                }
            }
        }
    }
}
