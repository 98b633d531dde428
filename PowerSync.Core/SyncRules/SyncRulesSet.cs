using System.Collections.Concurrent;
using System.Globalization;
using PowerSync.Core.SyncRules.Edition3;
using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Queries;
using PowerSync.Core.SyncRules.Streams;
using PowerSync.Core.SyncRules.Yaml;

namespace PowerSync.Core.SyncRules;

/// <summary>
/// A parsed, compiled and immutable sync-rules configuration (PowerSync YAML, editions 1 and 2,
/// <c>bucket_definitions</c>). Thread-safe: evaluate rows and requests from any thread.
/// </summary>
public sealed class SyncRulesSet
{
    private readonly IReadOnlyList<BucketDefinition> _definitions;
    private readonly IReadOnlyList<SyncStream> _streams;
    private readonly string _bucketPrefix;
    private readonly ConcurrentDictionary<(string Schema, string Table), TableQueries> _byTable = new();
    private readonly CompiledStreams? _compiled;

    private SyncRulesSet(CompiledSyncRules rules, IReadOnlyList<SyncRulesError> warnings, string bucketPrefix, string? fileName, CompiledStreams? compiled = null)
    {
        _compiled = compiled;
        var (config, definitions, streams) = (rules.Config, rules.Definitions, rules.Streams);
        TableReferences = rules.References;
        FileName = fileName;
        _definitions = definitions;
        _streams = streams;
        _bucketPrefix = bucketPrefix;
        Edition = config.Edition;
        FixedJsonExtract = config.FixedJsonExtract;
        TimestampsIso8601 = config.TimestampsIso8601;
        CustomPostgresTypes = config.CustomPostgresTypes;
        TimestampMaxPrecision = config.TimestampMaxPrecision;
        StorageVersion = config.StorageVersion;
        VersionedBucketIds = bucketPrefix.Length > 0;
        Warnings = warnings;
        BucketDefinitionNames = definitions.Select(d => d.Name).ToList();
        StreamNames = streams.Select(s => s.Name).ToList();
        AutoSubscribedStreamNames = streams.Where(s => s.AutoSubscribe).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        DataTables = definitions.SelectMany(d => d.DataQueries.Select(q => q.Table)).Concat(streams.Select(s => s.Data.Table)).Distinct().ToList();
        ParameterTables = definitions.SelectMany(d => d.ParameterQueries.OfType<TableParameterQuery>().Select(q => q.Table))
            .Concat(streams.SelectMany(s => s.Subqueries.Select(q => q.Table))).Distinct().ToList();
        if (compiled is not null)
        {
            StreamNames = compiled.StreamNames;
            AutoSubscribedStreamNames = compiled.AutoSubscribedStreamNames;
            DataTables = compiled.DataTables;
            ParameterTables = compiled.ParameterTables;
        }

        SourceTables = DataTables.Concat(ParameterTables).Distinct().ToList();
    }

    /// <summary>The edition (1, 2 or 3: compiled streams).</summary>
    public int Edition { get; }

    /// <summary><c>fixed_json_extract</c> is on.</summary>
    public bool FixedJsonExtract { get; }

    /// <summary><c>timestamps_iso8601</c> is on (replication formats timestamps with <c>T</c>).</summary>
    public bool TimestampsIso8601 { get; }

    /// <summary><c>custom_postgres_types</c> is on (replication maps composite/range/enum values to JSON).</summary>
    public bool CustomPostgresTypes { get; }

    /// <summary>True when bucket ids carry the <c>&lt;version&gt;#</c> prefix.</summary>
    public bool VersionedBucketIds { get; }

    /// <summary><c>timestamp_max_precision</c> as fraction digits (0, 3, 6 or 9); null when not set.</summary>
    internal int? TimestampMaxPrecision { get; }

    /// <summary><c>storage_version</c> (2, or the unstable 3); null when not set.</summary>
    internal int? StorageVersion { get; }

    /// <summary>Warnings found while parsing (the rules are still valid).</summary>
    public IReadOnlyList<SyncRulesError> Warnings { get; }

    /// <summary>Bucket definition names in YAML order.</summary>
    public IReadOnlyList<string> BucketDefinitionNames { get; }

    /// <summary>Sync Stream names in YAML order.</summary>
    public IReadOnlyList<string> StreamNames { get; }

    /// <summary>The streams with <c>auto_subscribe: true</c>: default streams, as bucket definitions are.</summary>
    internal IReadOnlySet<string> AutoSubscribedStreamNames { get; }

    /// <summary>Every source table the rules read (data and parameter queries): what replication must snapshot and stream.</summary>
    public IReadOnlyList<SourceTablePattern> SourceTables { get; }

    /// <summary>Tables read by data queries.</summary>
    public IReadOnlyList<SourceTablePattern> DataTables { get; }

    /// <summary>Tables read by parameter (lookup) queries.</summary>
    public IReadOnlyList<SourceTablePattern> ParameterTables { get; }

    /// <summary>
    /// Every table each query reads, with the columns it reads and their YAML positions, in document order:
    /// what a check against the source database needs (<see cref="SourceTableReference"/>).
    /// </summary>
    public IReadOnlyList<SourceTableReference> TableReferences { get; }

    /// <summary>The file the rules were read from (<see cref="SyncRulesParseOptions.FileName"/>), or null.</summary>
    public string? FileName { get; }

    /// <summary>
    /// Parses and compiles sync-rules YAML. All problems are collected in one pass; if any is an
    /// error, throws <see cref="SyncRulesException"/> listing them with YAML line and column.
    /// </summary>
    public static SyncRulesSet Parse(string yaml, SyncRulesParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        options ??= new SyncRulesParseOptions();
        var document = SyncRulesYamlReader.Read(yaml);
        StreamPlan? plan = null;
        var rules = document.Config.Edition >= 3
            ? Edition3Rules(document, options.DefaultSchema, out plan)
            : SyncRulesCompiler.Compile(document, options.DefaultSchema, options.HonourStreamPriority);
        var problems = options.FileName is { } file ? rules.Problems.Select(p => p with { File = file }).ToList() : rules.Problems;
        var errors = problems.Where(p => !p.IsWarning).ToList();
        if (errors.Count == 0 && document.FinalCheckProblem is { } finalCheck)
        {
            errors.Add(finalCheck with { File = options.FileName });
        }

        if (errors.Count > 0)
        {
            throw new SyncRulesException(errors);
        }

        var warnings = problems.Where(p => p.IsWarning).ToList();
        var versioned = options.VersionedBucketIds ?? rules.Config.VersionedBucketIds;
        var prefix = string.Empty;
        if (versioned && options.SyncRulesVersion is { } version)
        {
            prefix = version.ToString(CultureInfo.InvariantCulture) + "#";
        }
        else if (versioned)
        {
            warnings.Add(new SyncRulesError(1, 1,
                "Bucket ids are versioned (versioned_bucket_ids / edition 2) but no SyncRulesVersion was given: ids are produced without the '<version>#' prefix",
                SyncRulesErrorCodes.SqlWarning, IsWarning: true) { File = options.FileName });
        }

        return new SyncRulesSet(rules, warnings, prefix, options.FileName, plan is null ? null : Prepare(plan, options.FileName));
    }

    /// <summary>Prepares compiled streams for evaluation; what the official engine cannot prepare fails to load, as there.</summary>
    private static CompiledStreams Prepare(StreamPlan plan, string? file)
    {
        try
        {
            return new CompiledStreams(plan);
        }
        catch (SqlEvaluationException e)
        {
            throw new SyncRulesException([new SyncRulesError(0, 0, e.Message, SyncRulesErrorCodes.NotSupported) { File = file }]);
        }
    }

    private static CompiledSyncRules Edition3Rules(SyncRulesDocument document, string defaultSchema, out StreamPlan plan)
    {
        plan = StreamsCompiler.Compile(document, defaultSchema);
        return new CompiledSyncRules(document.Config, [], [], plan.Problems, []);
    }

    /// <summary>True when the rules read this table (data or parameter queries).</summary>
    public bool ReadsTable(string schema, string table) =>
        _compiled is not null ? SourceTables.Any(t => t.Matches(schema, table)) : GetTable(schema, table).Any;

    /// <summary>
    /// Evaluates one replicated row against every data query of its table: the buckets it belongs to,
    /// with its object type, id and data JSON. Failures of individual queries are returned as errors.
    /// </summary>
    public RowEvaluationResult EvaluateRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row) =>
        EvaluateRow(schema, table, row, includeValues: false);

    /// <summary>
    /// <see cref="EvaluateRow(string, string, IReadOnlyDictionary{string, SqliteValue})"/> for tools and tests: with
    /// <paramref name="includeValues"/>, each <see cref="EvaluatedRow"/> also carries its output columns as typed
    /// values (<see cref="EvaluatedRow.Values"/>).
    /// </summary>
    /// <param name="schema">The row's schema.</param>
    /// <param name="table">The row's table.</param>
    /// <param name="row">The row's columns.</param>
    /// <param name="includeValues">Whether to fill <see cref="EvaluatedRow.Values"/>.</param>
    /// <returns>The bucket entries of the row and per-query errors.</returns>
    public RowEvaluationResult EvaluateRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row, bool includeValues)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (_compiled is not null)
        {
            var compiledRows = new List<EvaluatedRow>();
            List<EvaluationError>? compiledErrors = null;
            _compiled.EvaluateRow(schema, table, row, _bucketPrefix, compiledRows, (source, message) => (compiledErrors ??= []).Add(new EvaluationError(source, message)));
            return new RowEvaluationResult(compiledRows, compiledErrors ?? (IReadOnlyList<EvaluationError>)[]);
        }

        var queries = GetTable(schema, table);
        if (queries.Data.Count == 0 && queries.Streams.Count == 0)
        {
            return RowEvaluationResult.Empty;
        }

        var rows = new List<EvaluatedRow>();
        List<EvaluationError>? errors = null;
        foreach (var (definition, query, bucketPrefix) in queries.Data)
        {
            try
            {
                var before = rows.Count;
                query.Evaluate(table, row, bucketPrefix, rows);
                if (includeValues && rows.Count > before)
                {
                    WithValues(rows, before, query.BuildValues(table, row));
                }
            }
            catch (SqlEvaluationException e)
            {
                (errors ??= []).Add(new EvaluationError(definition.Name, e.Message));
            }
        }

        foreach (var stream in queries.Streams)
        {
            try
            {
                var before = rows.Count;
                stream.EvaluateRow(table, row, _bucketPrefix, rows, message => (errors ??= []).Add(new EvaluationError(stream.Name, message)));
                if (includeValues && rows.Count > before)
                {
                    WithValues(rows, before, stream.Data.BuildValues(table, row));
                }
            }
            catch (SqlEvaluationException e)
            {
                (errors ??= []).Add(new EvaluationError(stream.Name, e.Message));
            }
        }

        return new RowEvaluationResult(rows, errors ?? (IReadOnlyList<EvaluationError>)[]);
    }

    /// <summary>Evaluates one replicated row of a parameter table: the lookup entries storage must index.</summary>
    public IReadOnlyList<EvaluatedParameterLookup> EvaluateParameterRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row) =>
        EvaluateParameterRow(schema, table, row, errors: null);

    /// <summary>
    /// <see cref="EvaluateParameterRow(string, string, IReadOnlyDictionary{string, SqliteValue})"/> with the errors of
    /// the queries that could not evaluate the row (such a query indexes nothing for it, as upstream).
    /// </summary>
    /// <param name="schema">The row's schema.</param>
    /// <param name="table">The row's table.</param>
    /// <param name="row">The row's columns.</param>
    /// <returns>The lookup entries and the per-query errors.</returns>
    public ParameterRowEvaluationResult EvaluateParameterRowWithErrors(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row)
    {
        var errors = new List<EvaluationError>();
        var lookups = EvaluateParameterRow(schema, table, row, errors);
        return new ParameterRowEvaluationResult(lookups, errors);
    }

    private List<EvaluatedParameterLookup> EvaluateParameterRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row, List<EvaluationError>? errors)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (_compiled is not null)
        {
            var lookups = new List<EvaluatedParameterLookup>();
            _compiled.EvaluateParameterRow(schema, table, row, lookups);
            return lookups;
        }

        var queries = GetTable(schema, table);
        if (queries.Parameters.Count == 0 && queries.Subqueries.Count == 0)
        {
            return [];
        }

        var result = new List<EvaluatedParameterLookup>();
        foreach (var query in queries.Parameters)
        {
            try
            {
                query.EvaluateRow(row, result);
            }
            catch (SqlEvaluationException e)
            {
                // A row that cannot be evaluated indexes nothing for this query (as upstream).
                errors?.Add(new EvaluationError(query.Definition, e.Message));
            }
        }

        foreach (var subquery in queries.Subqueries)
        {
            try
            {
                subquery.EvaluateRow(row, result);
            }
            catch (SqlEvaluationException e)
            {
                errors?.Add(new EvaluationError(subquery.Stream, e.Message));
            }
        }

        return result;
    }

    private static void WithValues(List<EvaluatedRow> rows, int from, IReadOnlyList<KeyValuePair<string, SqliteValue>> values)
    {
        for (var i = from; i < rows.Count; i++)
        {
            rows[i] = rows[i] with { Values = values };
        }
    }

    /// <summary>Resolves a connecting client's buckets: static ones now, plus the lookups still to read from storage.</summary>
    public RequestBucketResolution ResolveRequest(RequestParameters request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        var staticBuckets = new Dictionary<string, ResolvedBucket>(StringComparer.Ordinal);
        var pending = new List<(string, BucketDefinition, ParameterQuery, ParameterRow)>();
        var errors = new List<EvaluationError>();
        // Bucket definitions are default subscriptions: a client that opts out of those (include_defaults: false)
        // gets none of them, as from the official service.
        foreach (var definition in request.IncludeDefaultStreams ? _definitions : [])
        {
            if (definition.IsGlobal)
            {
                Add(new ResolvedBucket(_bucketPrefix + definition.Name + "[]", definition.Priority, definition.Name));
                continue;
            }

            foreach (var query in definition.ParameterQueries)
            {
                try
                {
                    if (query is TableParameterQuery table)
                    {
                        if (table.RequestOutputs(context) is { } outputs)
                        {
                            pending.AddRange(table.RequestLookups(context).Select(l => (l, definition, query, outputs)));
                        }

                        continue;
                    }

                    foreach (var row in query.EvaluateRequest(context))
                    {
                        if (definition.BucketId(_bucketPrefix, row, query) is { } bucket)
                        {
                            Add(new ResolvedBucket(bucket, query.Priority ?? definition.Priority, definition.Name));
                        }
                    }
                }
                catch (SqlEvaluationException e)
                {
                    errors.Add(new EvaluationError(definition.Name, e.Message));
                }
            }
        }

        var sources = new List<DynamicBucketSource>();
        if (pending.Count > 0)
        {
            sources.Add(new ParameterQueryBucketSource(_bucketPrefix, pending));
        }

        foreach (var stream in _streams)
        {
            StreamRequests.Resolve(stream, request, _bucketPrefix, Add, sources, errors);
        }

        _compiled?.Resolve(request, _bucketPrefix, Add, sources, errors);

        return new RequestBucketResolution(staticBuckets.Values.ToList(), sources, errors);

        void Add(ResolvedBucket bucket) =>
            staticBuckets[bucket.Bucket] = staticBuckets.TryGetValue(bucket.Bucket, out var existing) ? existing.Merge(bucket) : bucket;
    }

    private TableQueries GetTable(string schema, string table) =>
        _byTable.TryGetValue((schema, table), out var cached) ? cached : _byTable.GetOrAdd((schema, table), BuildTable);

    private TableQueries BuildTable((string Schema, string Table) key) =>
        new TableQueries(
            _definitions.SelectMany(d => d.DataQueries.Where(q => q.Table.Matches(key.Schema, key.Table)).Select(q => (d, q, _bucketPrefix + d.Name))).ToList(),
            _definitions.SelectMany(d => d.ParameterQueries.OfType<TableParameterQuery>().Where(q => q.Table.Matches(key.Schema, key.Table))).ToList(),
            _streams.Where(s => s.Data.Table.Matches(key.Schema, key.Table)).ToList(),
            _streams.SelectMany(s => s.Subqueries).Where(q => q.Table.Matches(key.Schema, key.Table)).ToList());

    private sealed record TableQueries(
        IReadOnlyList<(BucketDefinition Definition, DataQuery Query, string BucketPrefix)> Data,
        IReadOnlyList<TableParameterQuery> Parameters,
        IReadOnlyList<SyncStream> Streams,
        IReadOnlyList<CompiledSubquery> Subqueries)
    {
        public bool Any => Data.Count > 0 || Parameters.Count > 0 || Streams.Count > 0 || Subqueries.Count > 0;
    }
}
