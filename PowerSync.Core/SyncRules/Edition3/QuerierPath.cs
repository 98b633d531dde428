namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>
/// Splits one AND-list of a stream query into the bucket's row processor and the lookups that lead
/// from the request to its parameters: each <c>a = b</c> across two sources partitions one side and is
/// instantiated from the other (the request, or a lookup on the other table, resolved recursively).
/// </summary>
internal sealed class QuerierPath(StreamsCompiler compiler, AnalyzedQuery query, ProblemReporter report, List<FilterTerm> condition)
{
    private readonly List<FilterTerm> _pending = [.. condition];
    private readonly Dictionary<ResultSet, PendingLookup> _lookups = new(ReferenceEqualityComparer.Instance);
    private readonly List<ResultSet> _stack = [];
    private Stage _stage = new();

    private sealed class Stage
    {
        public Stage? Parent;
        public List<PendingLookup> Lookups { get; } = [];
    }

    public StreamResolver Resolve(int queryIndex, StreamOptions options, string uniqueName)
    {
        var state = ResolveResultSet(query.Source);
        var (keys, values) = state.ResolvePartitions();
        var evaluator = compiler.CanonicalEvaluator(new RowProcessor(query.Source, state.Filters, keys, state.Functions, query.Columns));
        ProcessExists();
        var requestFilters = new List<PlanExpr>();
        foreach (var remaining in _pending)
        {
            if (remaining is SingleTerm single)
            {
                if (single.Dependency.ResultSet is not null)
                {
                    report("This filter is unrelated to the request or the table being synced, and not supported.", single.Position);
                }
                else
                {
                    requestFilters.Add(single.Dependency.Expression);
                }
            }
            else
            {
                report("Unable to associate this filter with added tables", remaining.Position);
            }
        }

        return new StreamResolver(queryIndex, options, requestFilters, Materialize(), evaluator, values, uniqueName);
    }

    private ResolvedSet ResolveResultSet(ResultSet source)
    {
        _stack.Add(source);
        var state = new ResolvedSet();
        foreach (var term in _pending.ToList())
        {
            if (term is SingleTerm single)
            {
                if (ReferenceEquals(single.Dependency.ResultSet?.EvaluationTarget, source))
                {
                    state.Filters.Add(single.Dependency.Expression);
                    _pending.Remove(term);
                    foreach (var d in PlanExpressions.Dependencies(single.Dependency.Expression))
                    {
                        if (d is ColumnInRow { ResultSet: TableValuedResultSet fn } && !ReferenceEquals(fn, source))
                        {
                            state.AddFunction(fn);
                        }
                    }
                }

                continue;
            }

            var equals = (EqualsTerm)term;
            var (left, right) = (equals.Left.ResultSet, equals.Right.ResultSet);
            if (ReferenceEquals(left, source))
            {
                PartitionBy(state, term, new PartitionKey(equals.Left.Expression, null), equals.Right);
            }
            else if (ReferenceEquals(right, source))
            {
                PartitionBy(state, term, new PartitionKey(equals.Right.Expression, null), equals.Left);
            }
            else if (left is TableValuedResultSet lf && ReferenceEquals(lf.InputResultSet, source))
            {
                state.AddFunction(lf);
                PartitionBy(state, term, new PartitionKey(equals.Left.Expression, lf), equals.Right);
            }
            else if (right is TableValuedResultSet rf && ReferenceEquals(rf.InputResultSet, source))
            {
                state.AddFunction(rf);
                PartitionBy(state, term, new PartitionKey(equals.Right.Expression, rf), equals.Left);
            }
        }

        _stack.RemoveAt(_stack.Count - 1);
        return state;
    }

    private void PartitionBy(ResolvedSet state, FilterTerm term, PartitionKey key, SingleDependency other)
    {
        var otherSet = other.ResultSet;
        if (otherSet is not null && _stack.Exists(s => ReferenceEquals(s, otherSet) || (otherSet is TableValuedResultSet t && ReferenceEquals(t.InputResultSet, s))))
        {
            return;
        }

        _pending.Remove(term);
        var values = state.ValuesFor(key);
        if (otherSet is not null)
        {
            var lookup = ExpandingLookup(otherSet);
            values.Add(new LookupValue(lookup, lookup.AddOutput(other.Expression)));
        }
        else
        {
            values.Add(new RequestValue(other.Expression));
        }
    }

    private PendingLookup ExpandingLookup(ResultSet resultSet)
    {
        if (resultSet is TableValuedResultSet { InputResultSet: { } input })
        {
            return ExpandingLookup(input);
        }

        if (_lookups.TryGetValue(resultSet, out var existing))
        {
            return existing;
        }

        var child = _stage;
        _stage = child.Parent ??= new Stage();
        PendingLookup lookup;
        if (resultSet is PhysicalResultSet)
        {
            lookup = new PendingLookup { Source = resultSet, Resolved = ResolveResultSet(resultSet) };
        }
        else
        {
            var resolved = ResolveResultSet(resultSet);
            if (resolved.Partition.Count > 0)
            {
                report("This table-valued function depends on request data and can't be partitioned. If possible, try rewriting the query to not use = operators on this function and multiple other tables.", resultSet.Source.Position);
            }

            lookup = new PendingLookup { Source = resultSet, Filters = resolved.Filters };
        }

        _lookups[resultSet] = lookup;
        _stage.Lookups.Add(lookup);
        _stage = child;
        return lookup;
    }

    /// <summary><c>request_value IN (SELECT ...)</c> and filters on other tables become lookups that must find a row.</summary>
    private void ProcessExists()
    {
        foreach (var term in _pending.ToList())
        {
            if (term is EqualsTerm equals)
            {
                if (equals.Left.DependsOnConnection && equals.Right.ResultSet is { } r)
                {
                    ExpandingLookup(r);
                }
                else if (equals.Right.DependsOnConnection && equals.Left.ResultSet is { } l)
                {
                    ExpandingLookup(l);
                }
            }
            else if (term is SingleTerm { Dependency.ResultSet: { } set })
            {
                ExpandingLookup(set);
            }
        }
    }

    private List<List<PendingLookup>> Materialize()
    {
        var stages = new List<List<PendingLookup>>();
        void Walk(Stage stage)
        {
            if (stage.Parent is not null) Walk(stage.Parent);
            if (stage.Lookups.Count == 0) return;
            stages.Add(stage.Lookups);
            foreach (var lookup in stage.Lookups)
            {
                if (lookup.Resolved is { } resolved)
                {
                    var (keys, values) = resolved.ResolvePartitions();
                    lookup.Index = compiler.CanonicalLookup(new RowProcessor((PhysicalResultSet)lookup.Source, resolved.Filters, keys, resolved.Functions,
                        lookup.Outputs.Select((o, i) => new OutputColumn(o, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList()));
                    lookup.Instantiation = values;
                }
            }
        }

        Walk(_stage);
        return stages;
    }
}
