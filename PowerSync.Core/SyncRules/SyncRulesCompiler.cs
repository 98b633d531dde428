using PowerSync.Core.SyncRules.Queries;
using PowerSync.Core.SyncRules.Streams;
using PowerSync.Core.SyncRules.Yaml;

namespace PowerSync.Core.SyncRules;

/// <summary>
/// Compiles a <see cref="SyncRulesDocument"/> read from YAML: every query of every bucket definition and
/// stream, in document order. The problems found reading each part are reported where that part is
/// compiled, so that all problems come out in document order; a definition with an error is left out.
/// </summary>
internal sealed class SyncRulesCompiler
{
    private readonly SyncRulesConfig _config;
    private readonly string _defaultSchema;
    private readonly bool _honourStreamPriority;
    private readonly ErrorSink _problems = new();
    private readonly List<SourceTableReference> _references = [];

    private SyncRulesCompiler(SyncRulesConfig config, string defaultSchema, bool honourStreamPriority)
    {
        _config = config;
        _defaultSchema = defaultSchema;
        _honourStreamPriority = honourStreamPriority;
    }

    /// <param name="document">The YAML as read.</param>
    /// <param name="defaultSchema">Schema of tables named without one.</param>
    /// <param name="honourStreamPriority">Apply edition-2 streams' <c>priority:</c> (the official evaluator ignores it: 3).</param>
    public static CompiledSyncRules Compile(SyncRulesDocument document, string defaultSchema, bool honourStreamPriority = false) =>
        new SyncRulesCompiler(document.Config, defaultSchema, honourStreamPriority).Compile(document);

    private CompiledSyncRules Compile(SyncRulesDocument document)
    {
        _problems.AddRange(document.Problems);
        var definitions = CompileDefinitions(document.BucketDefinitions);
        var streams = CompileStreams(document.Streams, definitions);
        _problems.AddRange(document.EventPayloads.Problems);
        foreach (var payload in document.EventPayloads.Entries)
        {
            EventQueryCompiler.Check(payload, _config, _problems);
        }

        return new CompiledSyncRules(_config, definitions, streams, _problems.Items, _references);
    }

    private List<BucketDefinition> CompileDefinitions(DocumentSection<BucketDefinitionEntry> section)
    {
        _problems.AddRange(section.Problems);
        var definitions = new List<BucketDefinition>();
        foreach (var entry in section.Entries)
        {
            if (CompileDefinition(entry) is { } definition)
            {
                definitions.Add(definition);
            }
        }

        return definitions;
    }

    private BucketDefinition? CompileDefinition(BucketDefinitionEntry entry)
    {
        _problems.AddRange(entry.UnknownKeys);
        var errorsBefore = _problems.ErrorCount;
        _problems.AddRange(entry.Problems);
        var parameterQueries = CompileParameterQueries(entry);
        var bucketParameters = parameterQueries.Count > 0 ? parameterQueries[0].OutputNames : [];
        var dataQueries = CompileDataQueries(entry, bucketParameters);
        var failed = _problems.ErrorCount > errorsBefore;
        return failed ? null : new BucketDefinition(entry.Name, entry.Priority, bucketParameters, parameterQueries, dataQueries);
    }

    /// <summary>The definition's parameter queries that compiled; all of them must return the same columns.</summary>
    private List<ParameterQuery> CompileParameterQueries(BucketDefinitionEntry entry)
    {
        _problems.AddRange(entry.Parameters.Problems);
        var queries = new List<ParameterQuery>();
        var sources = entry.Parameters.Entries;
        for (var i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            var query = ParameterQueryCompiler.Compile(source, entry.Name, i, _config, _defaultSchema, _problems, entry.HasPriority);
            if (query is null)
            {
                continue;
            }

            if (query is TableParameterQuery)
            {
                TableReferenceCollector.Collect(source, SourceQueryKind.ParameterQuery, entry.Name, _defaultSchema, _references);
            }

            if (query.UsesClientParameters && !entry.AcceptPotentiallyDangerousQueries)
            {
                _problems.AddSql(source, 0,
                    "Potentially dangerous query based on parameters set by the client. The client can send any value for these parameters so it's not a good place to do authorization. Set 'accept_potentially_dangerous_queries: true' on the definition if this is intended.",
                    SyncRulesErrorCodes.SqlWarning, warning: true);
            }

            if (queries.Count > 0 && !SameColumns(queries[0].OutputNames, query.OutputNames))
            {
                _problems.AddSql(source, 0,
                    $"All parameter queries of '{entry.Name}' must return the same columns: expected [{string.Join(", ", queries[0].OutputNames)}], got [{string.Join(", ", query.OutputNames)}]",
                    SyncRulesErrorCodes.SqlInvalid);
                continue;
            }

            queries.Add(query);
        }

        return queries;
    }

    private static bool SameColumns(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Order(StringComparer.Ordinal).SequenceEqual(b.Order(StringComparer.Ordinal));

    private List<DataQuery> CompileDataQueries(BucketDefinitionEntry entry, IReadOnlyList<string> bucketParameters)
    {
        _problems.AddRange(entry.Data.Problems);
        var queries = new List<DataQuery>();
        foreach (var source in entry.Data.Entries)
        {
            if (DataQueryCompiler.Compile(source, bucketParameters, _config, _defaultSchema, _problems) is { } query)
            {
                queries.Add(query);
                TableReferenceCollector.Collect(source, SourceQueryKind.DataQuery, entry.Name, _defaultSchema, _references);
            }
        }

        return queries;
    }

    /// <summary>The streams that compiled; a stream named like a bucket definition is reported and not read further.</summary>
    private List<SyncStream> CompileStreams(DocumentSection<StreamEntry> section, List<BucketDefinition> definitions)
    {
        _problems.AddRange(section.Problems);
        var streams = new List<SyncStream>();
        foreach (var entry in section.Entries)
        {
            if (definitions.Any(d => d.Name == entry.Name))
            {
                _problems.Add(entry.NameLine, entry.NameColumn, $"Stream '{entry.Name}' has the same name as a bucket definition: rename one of them", SyncRulesErrorCodes.InvalidValue);
                continue;
            }

            _problems.AddRange(entry.Problems);
            if (entry.Query is { } source
                && StreamCompiler.Compile(entry.Name, source, entry.AutoSubscribe, _honourStreamPriority ? entry.Priority : 3, _config, _defaultSchema, _problems) is { } stream)
            {
                TableReferenceCollector.Collect(source, SourceQueryKind.StreamQuery, entry.Name, _defaultSchema, _references);
                streams.Add(stream);
            }
        }

        return streams;
    }
}
