using System.Text;

namespace PowerSync.Core.SyncRules.Queries;

/// <summary>A compiled <c>bucket_definitions</c> entry.</summary>
internal sealed class BucketDefinition(
    string name, int priority, IReadOnlyList<string> bucketParameters, IReadOnlyList<ParameterQuery> parameterQueries, IReadOnlyList<DataQuery> dataQueries)
{
    public string Name { get; } = name;

    /// <summary>Priority from YAML (default 3).</summary>
    public int Priority { get; } = priority;

    /// <summary>Bucket parameter names, in bucket-id order.</summary>
    public IReadOnlyList<string> BucketParameters { get; } = bucketParameters;

    public IReadOnlyList<ParameterQuery> ParameterQueries { get; } = parameterQueries;

    public IReadOnlyList<DataQuery> DataQueries { get; } = dataQueries;

    /// <summary>True for a definition without parameter queries: one global bucket <c>name[]</c>.</summary>
    public bool IsGlobal => ParameterQueries.Count == 0;

    /// <summary>
    /// <c>prefix + name + [values]</c> in the parameter query's own column order (as upstream, where each parameter
    /// query serializes its own columns: two queries listing them in different orders give different ids); null when
    /// a parameter is missing.
    /// </summary>
    public string? BucketId(string prefix, ParameterRow row, ParameterQuery query) => BucketId(prefix, row, query.OutputNames);

    private string? BucketId(string prefix, ParameterRow row, IReadOnlyList<string> parameters)
    {
        var sb = new StringBuilder(prefix).Append(Name).Append('[');
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!row.TryGetValue(parameters[i], out var value))
            {
                return null;
            }

            if (i > 0)
            {
                sb.Append(',');
            }

            value.AppendTo(sb);
        }

        return sb.Append(']').ToString();
    }
}
