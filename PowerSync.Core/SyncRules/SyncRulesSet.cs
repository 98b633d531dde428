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
        VersionedBucketIds = bucketPrefix.Length > 0;
        Warnings = warnings;
        BucketDefinitionNames = definitions.Select(d => d.Name).ToList();
        StreamNames = streams.Select(s => s.Name).ToList();
        DataTables = definitions.SelectMany(d => d.DataQueries.Select(q => q.Table)).Concat(streams.Select(s => s.Data.Table)).Distinct().ToList();
        ParameterTables = definitions.SelectMany(d => d.ParameterQueries.OfType<TableParameterQuery>().Select(q => q.Table))
            .Concat(streams.SelectMany(s => s.Subqueries.Select(q => q.Table))).Distinct().ToList();
        if (compiled is not null)
        {
            StreamNames = compiled.StreamNames;
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

    /// <summary>Warnings found while parsing (the rules are still valid).</summary>
    public IReadOnlyList<SyncRulesError> Warnings { get; }

    /// <summary>Bucket definition names in YAML order.</summary>
    public IReadOnlyList<string> BucketDefinitionNames { get; }

    /// <summary>Sync Stream names in YAML order.</summary>
    public IReadOnlyList<string> StreamNames { get; }

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
            : SyncRulesCompiler.Compile(document, options.DefaultSchema);
        var problems = options.FileName is { } file ? rules.Problems.Select(p => p with { File = file }).ToList() : rules.Problems;
        var errors = problems.Where(p => !p.IsWarning).ToList();
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

        return new SyncRulesSet(rules, warnings, prefix, options.FileName, plan is null ? null : new CompiledStreams(plan));
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
    public RowEvaluationResult EvaluateRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row)
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
                query.Evaluate(table, row, bucketPrefix, rows);
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
                stream.EvaluateRow(table, row, _bucketPrefix, rows, message => (errors ??= []).Add(new EvaluationError(stream.Name, message)));
            }
            catch (SqlEvaluationException e)
            {
                (errors ??= []).Add(new EvaluationError(stream.Name, e.Message));
            }
        }

        return new RowEvaluationResult(rows, errors ?? (IReadOnlyList<EvaluationError>)[]);
    }

    /// <summary>Evaluates one replicated row of a parameter table: the lookup entries storage must index.</summary>
    public IReadOnlyList<EvaluatedParameterLookup> EvaluateParameterRow(string schema, string table, IReadOnlyDictionary<string, SqliteValue> row)
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
            catch (SqlEvaluationException)
            {
                // A row that cannot be evaluated indexes nothing for this query (as upstream).
            }
        }

        foreach (var subquery in queries.Subqueries)
        {
            try
            {
                subquery.EvaluateRow(row, result);
            }
            catch (SqlEvaluationException)
            {
                // As above.
            }
        }

        return result;
    }

    /// <summary>Resolves a connecting client's buckets: static ones now, plus the lookups still to read from storage.</summary>
    public RequestBucketResolution ResolveRequest(RequestParameters request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        var staticBuckets = new Dictionary<string, ResolvedBucket>(StringComparer.Ordinal);
        var pending = new List<(string, BucketDefinition, ParameterQuery)>();
        var errors = new List<EvaluationError>();
        foreach (var definition in _definitions)
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
                        pending.AddRange(table.RequestLookups(context).Select(l => (l, definition, query)));
                        continue;
                    }

                    foreach (var row in query.EvaluateRequest(context))
                    {
                        if (definition.BucketId(_bucketPrefix, row) is { } bucket)
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

        void Add(ResolvedBucket bucket)
        {
            if (!staticBuckets.TryGetValue(bucket.Bucket, out var existing) || existing.Priority > bucket.Priority)
            {
                staticBuckets[bucket.Bucket] = bucket;
            }
        }
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
