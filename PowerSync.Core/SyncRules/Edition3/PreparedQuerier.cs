using System.Text;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;
using PowerSync.Core.SyncRules.Queries;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>One querier of a stream: request filters, lookup stages and the bucket's parameter values, ready to run per request.</summary>
internal sealed class PreparedQuerier
{
    private readonly SlotEvaluator[] _filters;

    public PreparedQuerier(StreamResolver resolver, string bucket, Func<RowProcessor, int> lookupIndex)
    {
        Resolver = resolver;
        Bucket = bucket;
        LookupIndex = lookupIndex;
        _filters = resolver.RequestFilters.Select(CompileRequest).ToArray();
        HasParameterLookups = resolver.Stages.SelectMany(s => s).Any(l => l.Index is not null);
        PrepareAll(resolver);
    }

    /// <summary>
    /// Compiles each request-side expression once, as the official engine prepares them when the rules load: one it cannot
    /// evaluate fails here (<see cref="SqlEvaluationException"/>), not on the first request.
    /// </summary>
    private static void PrepareAll(StreamResolver resolver)
    {
        var values = new List<ParameterValue>(resolver.Instantiation);
        var functionRows = new PlanEvaluator(_ => 0);
        foreach (var lookup in resolver.Stages.SelectMany(s => s))
        {
            values.AddRange(lookup.Instantiation);
            if (lookup.Source is TableValuedResultSet fn)
            {
                foreach (var p in fn.Parameters) CompileRequest(p.Expression);
                foreach (var e in lookup.Filters.Concat(lookup.Outputs)) functionRows.Compile(e);
            }
        }

        for (var i = 0; i < values.Count; i++)
        {
            switch (values[i])
            {
                case RequestValue r: CompileRequest(r.Expression); break;
                case IntersectionValue x: values.AddRange(x.Values); break;
            }
        }
    }

    public StreamResolver Resolver { get; }

    public string Bucket { get; }

    public Func<RowProcessor, int> LookupIndex { get; }

    public bool HasParameterLookups { get; }

    /// <summary>Request expressions read auth (slot 0), subscription (1) and connection (2) parameters as JSON text.</summary>
    public static SlotEvaluator CompileRequest(PlanExpr expr) =>
        new PlanEvaluator(d => ((ConnectionData)d).Kind switch { "auth" => 0, "subscription" => 1, _ => 2 }).Compile(expr);

    public static SqliteValue[] RequestSlots(RequestContext context) =>
        [SqliteValue.FromText(context.RawTokenPayload), SqliteValue.FromText(context.RawStreamParameters), SqliteValue.FromText(context.RawClientParameters)];

    /// <summary>Null when a request filter rejects the request.</summary>
    public QuerierRun? Start(RequestContext context)
    {
        var slots = RequestSlots(context);
        foreach (var filter in _filters)
        {
            if (!SqlValueSemantics.IsTrue(filter(slots)))
            {
                return null;
            }
        }

        return new QuerierRun(this, slots);
    }
}

/// <summary>A value with the lookup rows it came from (values of one row stay together in a bucket).</summary>
internal readonly record struct Candidate(SqliteValue Value, (object Set, int Row)[] Provenance);

/// <summary>One querier evaluated for one request: lookups resolved stage by stage as their rows arrive.</summary>
internal sealed class QuerierRun(PreparedQuerier querier, SqliteValue[] request)
{
    private readonly Dictionary<PendingLookup, List<Candidate[]>> _results = new(ReferenceEqualityComparer.Instance);

    /// <summary>Lookup keys still to read, given what was fetched (null for a key not fetched yet).</summary>
    public List<string> Missing(Func<string, IReadOnlyList<string>?> fetch)
    {
        var missing = new List<string>();
        Walk(fetch, missing);
        return missing;
    }

    /// <summary>The buckets (without version prefix); null while lookups are missing.</summary>
    public List<string>? Complete(Func<string, IReadOnlyList<string>?> fetch)
    {
        var missing = new List<string>();
        if (!Walk(fetch, missing) || missing.Count > 0)
        {
            return missing.Count > 0 ? null : [];
        }

        var values = querier.Resolver.Instantiation.Select(Values).ToList();
        var buckets = new List<string>();
        foreach (var combination in Combine(values))
        {
            var sb = new StringBuilder(querier.Bucket).Append('[');
            for (var i = 0; i < combination.Count; i++)
            {
                if (i > 0) sb.Append(',');
                JsonText.AppendBucketValue(sb, combination[i]);
            }

            buckets.Add(sb.Append(']').ToString());
        }

        return buckets;
    }

    /// <summary>Resolves stages in order; false when a stage is empty (no bucket), missing keys stop the walk.</summary>
    private bool Walk(Func<string, IReadOnlyList<string>?> fetch, List<string> missing)
    {
        foreach (var stage in querier.Resolver.Stages)
        {
            foreach (var lookup in stage)
            {
                if (_results.ContainsKey(lookup))
                {
                    continue;
                }

                if (lookup.Index is null)
                {
                    _results[lookup] = TableValued(lookup);
                    continue;
                }

                var index = querier.LookupIndex(lookup.Index);
                var keys = new List<(string Key, (object, int)[] Provenance)>();
                foreach (var combination in CombineCandidates(lookup.Instantiation.Select(Values).ToList()))
                {
                    var key = CompiledStreams.LookupKey(index, combination.Select(c => c.Value));
                    if (!keys.Exists(k => k.Key == key)) keys.Add((key, combination.SelectMany(c => c.Provenance).ToArray()));
                }

                var rows = new List<Candidate[]>();
                var complete = true;
                foreach (var (key, provenance) in keys)
                {
                    if (fetch(key) is not { } texts)
                    {
                        missing.Add(key);
                        complete = false;
                        continue;
                    }

                    var marker = new object();
                    var rowId = 0;
                    foreach (var row in texts.SelectMany(ParameterQuery.ParseRows))
                    {
                        var outputs = lookup.Outputs.Count;
                        var direct = outputs > 1 ? new[] { (marker, rowId) } : [];
                        rows.Add(Enumerable.Range(0, outputs).Select(i => new Candidate(
                            row.TryGetValue(i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var v) ? v.Value : SqliteValue.Null,
                            [.. provenance, .. direct])).ToArray());
                        rowId++;
                    }
                }

                if (complete)
                {
                    _results[lookup] = rows;
                }
            }

            if (missing.Count > 0)
            {
                return true;
            }

            if (stage.Exists(l => _results[l].Count == 0))
            {
                return false;
            }
        }

        return true;
    }

    private List<Candidate[]> TableValued(PendingLookup lookup)
    {
        var fn = (TableValuedResultSet)lookup.Source;
        var input = fn.Parameters.Count == 1 ? PreparedQuerier.CompileRequest(fn.Parameters[0].Expression)(request) : SqliteValue.Null;
        var evaluator = new PlanEvaluator(d => ((ColumnInRow)d).Column == "key" ? 1 : 0);
        var filters = lookup.Filters.Select(evaluator.Compile).ToArray();
        var outputs = lookup.Outputs.Select(evaluator.Compile).ToArray();
        var marker = new object();
        var result = new List<Candidate[]>();
        var rowId = 0;
        foreach (var (key, value) in PreparedProcessor.JsonEach(input))
        {
            var slots = new[] { value, key };
            if (filters.All(f => SqlValueSemantics.IsTrue(f(slots))))
            {
                var values = outputs.Select(o => o(slots)).ToArray();
                if (values.All(PreparedProcessor.IsValidParameter))
                {
                    var id = rowId;
                    result.Add(values.Select(v => new Candidate(v, [(marker, id)])).ToArray());
                }
            }

            rowId++;
        }

        return result;
    }

    private List<Candidate> Values(ParameterValue value)
    {
        switch (value)
        {
            case RequestValue r:
                var v = PreparedQuerier.CompileRequest(r.Expression)(request);
                return PreparedProcessor.IsValidParameter(v) ? [new Candidate(v, [])] : [];
            case LookupValue l:
                return _results[l.Lookup].Select(row => row[l.Index]).ToList();
            case IntersectionValue i:
                var columns = i.Values.Select(Values).ToList();
                return columns[0].Where(c => columns.Skip(1).All(other => other.Exists(o => o.Value.Type == c.Value.Type ? o.Value.Equals(c.Value) : SqlValueSemantics.Compare(o.Value, c.Value) == 0))).ToList();
            default:
                return [];
        }
    }

    private static List<List<SqliteValue>> Combine(List<List<Candidate>> values) =>
        CombineCandidates(values).Select(c => c.Select(x => x.Value).ToList()).ToList();

    /// <summary>The cartesian product of candidates, skipping combinations that mix different rows of one lookup.</summary>
    private static List<List<Candidate>> CombineCandidates(List<List<Candidate>> values)
    {
        var result = new List<List<Candidate>>();
        var current = new List<Candidate>();
        var used = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        void Next(int index)
        {
            if (index == values.Count)
            {
                result.Add([.. current]);
                return;
            }

            foreach (var candidate in values[index])
            {
                var added = new List<object>();
                var ok = true;
                foreach (var (set, row) in candidate.Provenance)
                {
                    if (used.TryGetValue(set, out var existing))
                    {
                        if (existing != row) { ok = false; break; }
                    }
                    else
                    {
                        used[set] = row;
                        added.Add(set);
                    }
                }

                if (ok)
                {
                    current.Add(candidate);
                    Next(index + 1);
                    current.RemoveAt(current.Count - 1);
                }

                foreach (var set in added) used.Remove(set);
            }
        }

        Next(0);
        return result;
    }
}
