using System.Globalization;
using System.Text;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Json;
using PowerSync.Core.SyncRules.Queries;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>
/// The runtime of compiled (edition 3) streams: row evaluation into buckets <c>stream|N[...]</c>,
/// parameter index entries for lookups, and the buckets of a request (static, or through lookups).
/// </summary>
internal sealed class CompiledStreams
{
    private readonly List<(string UniqueName, List<PreparedProcessor> Evaluators)> _buckets;
    private readonly List<PreparedProcessor> _lookups;
    private readonly List<(StreamOptions Options, List<PreparedQuerier> Queriers)> _streams;

    public CompiledStreams(StreamPlan plan)
    {
        var prepared = new Dictionary<RowProcessor, PreparedProcessor>(ReferenceEqualityComparer.Instance);
        PreparedProcessor Prepare(RowProcessor p) => prepared.TryGetValue(p, out var found) ? found : prepared[p] = new PreparedProcessor(p);
        _buckets = plan.Buckets.Select(b => (b.UniqueName, b.Evaluators.Select(Prepare).ToList())).ToList();
        _lookups = plan.Lookups.Select(Prepare).ToList();
        var lookupIndex = new Dictionary<RowProcessor, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < plan.Lookups.Count; i++) lookupIndex[plan.Lookups[i]] = i;
        _streams = plan.Streams.Select(s => (s.Options, s.Queriers.Select(q => new PreparedQuerier(q.Resolver, q.Bucket, r => lookupIndex[r])).ToList())).ToList();
        DataTables = _buckets.SelectMany(b => b.Evaluators).Select(e => e.Processor.Table.Pattern).Distinct().ToList();
        ParameterTables = _lookups.Select(e => e.Processor.Table.Pattern).Distinct().ToList();
        StreamNames = _streams.Select(s => s.Options.Name).ToList();
        AutoSubscribedStreamNames = _streams.Where(s => s.Options.AutoSubscribe).Select(s => s.Options.Name).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<SourceTablePattern> DataTables { get; }

    public IReadOnlyList<SourceTablePattern> ParameterTables { get; }

    public IReadOnlyList<string> StreamNames { get; }

    /// <summary>The streams with <c>auto_subscribe: true</c> (default streams).</summary>
    public IReadOnlySet<string> AutoSubscribedStreamNames { get; }

    /// <summary>The bucket sources' evaluators that read a table, cached per table.</summary>
    public bool HasEvaluators(string schema, string table) => EvaluatorsOf(schema, table).Length > 0;

    private (string BucketPrefix, PreparedProcessor Evaluator)[] EvaluatorsOf(string schema, string table) =>
        _byTable.TryGetValue((schema, table), out var cached) ? cached : _byTable.GetOrAdd((schema, table), key =>
            _buckets.SelectMany(b => b.Evaluators.Where(e => e.Processor.Table.Pattern.Matches(key.Schema, key.Table)).Select(e => (b.UniqueName, e))).ToArray());

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Schema, string Table), (string BucketPrefix, PreparedProcessor Evaluator)[]> _byTable = new();

    public void EvaluateRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row, string prefix, List<EvaluatedRow> rows, Action<string, string> onError)
    {
        foreach (var (uniqueName, evaluator) in EvaluatorsOf(schema, table))
        {
            try
            {
                if (evaluator.IsSingleRow)
                {
                    if (evaluator.SingleRow(row) is { } slots)
                    {
                        Emit(evaluator, uniqueName, table, row, slots, prefix, rows);
                    }

                    continue;
                }

                foreach (var slots in evaluator.Rows(row))
                {
                    Emit(evaluator, uniqueName, table, row, slots, prefix, rows);
                }
            }
            catch (SqlEvaluationException e)
            {
                onError(uniqueName, e.Message);
            }
        }
    }

    private static void Emit(PreparedProcessor evaluator, string uniqueName, string table, IReadOnlyDictionary<string, SqliteValue> row, SqliteValue[] slots, string prefix, List<EvaluatedRow> rows)
    {
        var partition = evaluator.Partition;
        var values = partition.Length == 0 ? [] : new SqliteValue[partition.Length];
        for (var i = 0; i < partition.Length; i++)
        {
            values[i] = partition[i](slots);
            if (!PreparedProcessor.IsValidParameter(values[i]))
            {
                return;
            }
        }

        var (id, data) = RowData.Build(evaluator, row, slots);
        var bucket = new StringBuilder(prefix.Length + uniqueName.Length + 32).Append(prefix).Append(uniqueName).Append('[');
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) bucket.Append(',');
            JsonText.AppendBucketValue(bucket, values[i]);
        }

        rows.Add(new EvaluatedRow(bucket.Append(']').ToString(), evaluator.Processor.Table.OutputName ?? table, id, data));
    }

    public void EvaluateParameterRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row, List<EvaluatedParameterLookup> output)
    {
        for (var index = 0; index < _lookups.Count; index++)
        {
            var lookup = _lookups[index];
            if (!lookup.Processor.Table.Pattern.Matches(schema, table))
            {
                continue;
            }

            try
            {
                var entries = new List<(string Key, List<ParameterRow> Rows)>();
                foreach (var slots in lookup.Rows(row))
                {
                    var outputs = lookup.Outputs.Select(o => o!(slots)).ToArray();
                    var partition = lookup.Partition.Select(p => p(slots)).ToArray();
                    if (!outputs.Concat(partition).All(PreparedProcessor.IsValidParameter))
                    {
                        continue;
                    }

                    var key = LookupKey(index, partition);
                    var entry = entries.FindIndex(e => e.Key == key);
                    if (entry < 0)
                    {
                        entries.Add((key, []));
                        entry = entries.Count - 1;
                    }

                    var parameters = new ParameterRow();
                    for (var i = 0; i < outputs.Length; i++) parameters[i.ToString(CultureInfo.InvariantCulture)] = ParamValue.Of(outputs[i]);
                    entries[entry].Rows.Add(parameters);
                }

                output.AddRange(entries.Select(e => new EvaluatedParameterLookup(e.Key, ParameterQuery.SerializeRows(e.Rows))));
            }
            catch (SqlEvaluationException)
            {
                // A row that cannot be evaluated indexes nothing for this lookup (as upstream).
            }
        }
    }

    /// <summary>The storage key of a lookup: its index and the partition values (numbers normalized, so 3.0 finds 3).</summary>
    public static string LookupKey(int index, IEnumerable<SqliteValue> values)
    {
        var sb = new StringBuilder("[\"e3\",").Append(index.ToString(CultureInfo.InvariantCulture));
        foreach (var v in values)
        {
            sb.Append(',');
            JsonText.AppendBucketValue(sb, v);
        }

        return sb.Append(']').ToString();
    }

    public void Resolve(RequestParameters request, string prefix, Action<ResolvedBucket> addStatic, List<DynamicBucketSource> dynamic, List<EvaluationError> errors)
    {
        foreach (var (options, queriers) in _streams)
        {
            var subscriptions = request.Subscriptions.Where(s => string.Equals(s.Stream, options.Name, StringComparison.Ordinal)).ToList();
            var explicitDefault = false;
            foreach (var subscription in subscriptions)
            {
                var context = request.Context;
                if (subscription.ParametersJson is null)
                {
                    explicitDefault = true;
                }
                else if (JsonParser.TryParse(subscription.ParametersJson, plainNumbers: true) is { Kind: JsonKind.Object } parameters)
                {
                    context = context.WithStreamParameters(parameters);
                }
                else
                {
                    errors.Add(new EvaluationError(options.Name, "Subscription parameters must be a JSON object") { Subscription = subscription });
                    continue;
                }

                Run(options, queriers, context, subscription.PriorityOverride ?? options.Priority, new BucketInclusion(subscription), prefix, addStatic, dynamic, errors);
            }

            if (options.AutoSubscribe && request.IncludeDefaultStreams && !explicitDefault)
            {
                Run(options, queriers, request.Context, options.Priority, BucketInclusion.Default, prefix, addStatic, dynamic, errors);
            }
        }
    }

    private static void Run(StreamOptions options, List<PreparedQuerier> queriers, RequestContext context, int priority, BucketInclusion reason, string prefix, Action<ResolvedBucket> addStatic, List<DynamicBucketSource> dynamic, List<EvaluationError> errors)
    {
        foreach (var querier in queriers)
        {
            try
            {
                var run = querier.Start(context);
                if (run is null)
                {
                    continue;
                }

                if (!querier.HasParameterLookups)
                {
                    foreach (var bucket in run.Complete(_ => [])!)
                    {
                        addStatic(new ResolvedBucket(prefix + bucket, priority, options.Name) { InclusionReasons = [reason] });
                    }
                }
                else
                {
                    dynamic.Add(new LookupBucketSource(run, prefix, priority, reason, options.Name));
                }
            }
            catch (SqlEvaluationException e)
            {
                errors.Add(new EvaluationError(options.Name, "Error evaluating bucket ids: " + e.Message) { Subscription = reason.Subscription });
            }
        }
    }

    /// <summary>The buckets of one querier and subscription that need parameter lookups (possibly in several rounds).</summary>
    private sealed class LookupBucketSource(QuerierRun run, string prefix, int priority, BucketInclusion reason, string stream) : DynamicBucketSource
    {
        public override IEnumerable<string> Lookups => run.Missing(_ => null);

        public override IEnumerable<string> MoreLookups(IReadOnlySet<string> requested, IReadOnlyDictionary<string, IReadOnlyList<string>> fetched) =>
            run.Missing(key => requested.Contains(key) ? Fetched(fetched, key).ToList() : null);

        public override IEnumerable<ResolvedBucket> Resolve(IReadOnlyDictionary<string, IReadOnlyList<string>> parametersByLookup)
        {
            try
            {
                return (run.Complete(key => Fetched(parametersByLookup, key).ToList()) ?? [])
                    .Select(b => new ResolvedBucket(prefix + b, priority, stream) { InclusionReasons = [reason] }).ToList();
            }
            catch (SqlEvaluationException)
            {
                return [];
            }
        }
    }
}
