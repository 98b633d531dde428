namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>How rows are partitioned into buckets or lookups: an expression of the row, or an output of a function on it.</summary>
internal sealed record PartitionKey(PlanExpr Expression, TableValuedResultSet? Function)
{
    public string Key => (Function is null ? "s:" : "t:" + Function.Key + ":") + PlanExpressions.Key(Expression);

    /// <summary>The official compiler's hash of the key: bucket parameters are ordered by it.</summary>
    public int Hash()
    {
        var hasher = new StableHasher();
        if (Function is not null)
        {
            hasher.AddString(Function.FunctionName);
            foreach (var p in Function.Parameters) PlanExpressions.Hash(hasher, p.Expression);
        }

        PlanExpressions.Hash(hasher, Expression);
        return hasher.Build();
    }
}

/// <summary>Rows of one table, filtered, partitioned and projected: a bucket data source or a parameter lookup index.</summary>
internal sealed record RowProcessor(PhysicalResultSet Table, IReadOnlyList<PlanExpr> Filters, IReadOnlyList<PartitionKey> Partition, IReadOnlyList<TableValuedResultSet> Functions, IReadOnlyList<OutputColumn> Columns)
{
    public string Key => string.Join("\u0002",
        Table.Pattern.ToString(), string.Join("\u0003", Filters.Select(PlanExpressions.Key).Order(StringComparer.Ordinal)),
        string.Join("\u0003", Partition.Select(p => p.Key)), string.Join("\u0003", Functions.Select(f => f.Key).Order(StringComparer.Ordinal)),
        string.Join("\u0003", Columns.Select(c => c.Expression is null ? "*" : PlanExpressions.Key(c.Expression) + "=" + c.Name)), Table.OutputName ?? string.Empty);
}

/// <summary>A value for a bucket parameter or a lookup input.</summary>
internal abstract record ParameterValue
{
    public abstract string Key { get; }
}

internal sealed record RequestValue(PlanExpr Expression) : ParameterValue
{
    public override string Key => "r:" + PlanExpressions.Key(Expression);
}

internal sealed record LookupValue(PendingLookup Lookup, int Index) : ParameterValue
{
    public override string Key => "l:" + Lookup.Key + ":" + Index;
}

internal sealed record IntersectionValue(IReadOnlyList<ParameterValue> Values) : ParameterValue
{
    public override string Key => "i:(" + string.Join(",", Values.Select(v => v.Key)) + ")";
}

/// <summary>A lookup a querier performs: a parameter index read, or a table-valued function over request data.</summary>
internal sealed class PendingLookup
{
    public required ResultSet Source { get; init; }

    public ResolvedSet? Resolved { get; init; }

    public List<PlanExpr> Filters { get; init; } = [];

    public List<PlanExpr> Outputs { get; } = [];

    /// <summary>Set when stages are materialized: the canonical index (parameter lookups) and its inputs.</summary>
    public RowProcessor? Index { get; set; }

    public List<ParameterValue> Instantiation { get; set; } = [];

    public string Key => Index is not null
        ? "p:" + Index.Key + "[" + string.Join(",", Instantiation.Select(v => v.Key)) + "]"
        : "f:" + ((TableValuedResultSet)Source).Key + "[" + string.Join(",", Outputs.Select(PlanExpressions.Key)) + "|" + string.Join(",", Filters.Select(PlanExpressions.Key)) + "]";

    public int AddOutput(PlanExpr expr)
    {
        var key = PlanExpressions.Key(expr);
        var existing = Outputs.FindIndex(o => PlanExpressions.Key(o) == key);
        if (existing >= 0)
        {
            return existing;
        }

        if (Resolved is not null)
        {
            foreach (var d in PlanExpressions.Dependencies(expr))
            {
                if (d is ColumnInRow { ResultSet: TableValuedResultSet fn } && ReferenceEquals(fn.InputResultSet, Source))
                {
                    Resolved.AddFunction(fn);
                }
            }
        }

        Outputs.Add(expr);
        return Outputs.Count - 1;
    }
}

/// <summary>Filters, partition keys (with the values instantiating them) and functions found for one result set.</summary>
internal sealed class ResolvedSet
{
    public List<PlanExpr> Filters { get; } = [];

    public List<(PartitionKey Key, List<ParameterValue> Values)> Partition { get; } = [];

    public List<TableValuedResultSet> Functions { get; } = [];

    public void AddFunction(TableValuedResultSet fn)
    {
        if (!Functions.Contains(fn)) Functions.Add(fn);
    }

    public List<ParameterValue> ValuesFor(PartitionKey key)
    {
        var k = key.Key;
        var index = Partition.FindIndex(p => p.Key.Key == k);
        if (index >= 0) return Partition[index].Values;
        var values = new List<ParameterValue>();
        Partition.Add((key, values));
        return values;
    }

    /// <summary>Partition keys ordered by their stable hash (as the official compiler orders bucket parameters), with their values.</summary>
    public (List<PartitionKey> Keys, List<ParameterValue> Values) ResolvePartitions()
    {
        var entries = Partition.Select(p => (p.Key, Value: p.Values.Count == 1 ? p.Values[0] : new IntersectionValue(p.Values))).ToList();
        var sorted = entries.Select((e, i) => (e, i, h: e.Key.Hash())).OrderBy(x => x.h).ThenBy(x => x.i).Select(x => x.e).ToList();
        return (sorted.Select(e => e.Key).ToList(), sorted.Select(e => e.Value).ToList());
    }
}

/// <summary>One way a subscription reaches a bucket: request filters, lookup stages, the bucket and its parameter values.</summary>
internal sealed class StreamResolver(int queryIndex, StreamOptions options, List<PlanExpr> requestFilters, List<List<PendingLookup>> stages, RowProcessor evaluator, List<ParameterValue> instantiation, string uniqueName)
{
    public StreamOptions Options { get; } = options;

    /// <summary>The stream query this resolver comes from (index into its queries).</summary>
    public int QueryIndex { get; } = queryIndex;

    public List<PlanExpr> RequestFilters { get; } = requestFilters;

    public List<List<PendingLookup>> Stages { get; } = stages;

    public List<RowProcessor> Evaluators { get; } = [evaluator];

    public List<ParameterValue> Instantiation { get; } = instantiation;

    public string UniqueName { get; } = uniqueName;

    public string InstantiationKey => string.Join("\u0002",
        string.Join("\u0003", RequestFilters.Select(PlanExpressions.Key)),
        string.Join("\u0003", Stages.SelectMany(s => s).Select(l => l.Key).Order(StringComparer.Ordinal)),
        string.Join("\u0003", Instantiation.Select(v => v.Key)));
}

/// <summary>A stream's name, priority and whether it is subscribed by default.</summary>
internal sealed record StreamOptions(string Name, int Priority, bool AutoSubscribe);
