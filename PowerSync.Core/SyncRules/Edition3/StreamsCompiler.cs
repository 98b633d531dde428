using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Yaml;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>
/// Compiles the streams of an edition-3 document into a plan: canonical row evaluators and parameter
/// indexes (identical ones shared across queries and streams), and per stream the resolvers that lead a
/// subscription to its buckets <c>stream|N[...]</c>.
/// </summary>
internal sealed class StreamsCompiler
{
    private const int MaxBucketsPerStream = 100;
    private readonly string _defaultSchema;
    private readonly ErrorSink _problems = new();
    private readonly List<RowProcessor> _evaluators = [];
    private readonly List<RowProcessor> _lookups = [];
    private readonly List<StreamResolver> _resolvers = [];
    private readonly List<(string Name, int Line, int Column, CommonTableExpression Cte)> _ctes = [];

    private StreamsCompiler(string defaultSchema) => _defaultSchema = defaultSchema;

    public static StreamPlan Compile(SyncRulesDocument document, string defaultSchema)
    {
        var compiler = new StreamsCompiler(defaultSchema);
        compiler._problems.AddRange(document.Problems);
        compiler.CompileStreams(document);
        return compiler.Build();
    }

    public RowProcessor CanonicalEvaluator(RowProcessor evaluator) => Canonical(_evaluators, evaluator);

    public RowProcessor CanonicalLookup(RowProcessor lookup) => Canonical(_lookups, lookup);

    private static RowProcessor Canonical(List<RowProcessor> list, RowProcessor candidate)
    {
        var key = candidate.Key;
        var existing = list.Find(e => e.Key == key);
        if (existing is not null)
        {
            return existing;
        }

        list.Add(candidate);
        return candidate;
    }

    private static ProblemReporter Reporter(ErrorSink sink, SqlSource source) =>
        (message, position, warning) => sink.AddSql(source, position, message, warning ? SyncRulesErrorCodes.SqlWarning : SyncRulesErrorCodes.SqlInvalid, warning);

    private Select? Parse(SqlSource source, ProblemReporter report)
    {
        try
        {
            return StreamParser.Parse(source.Sql);
        }
        catch (SqlSyntaxException e)
        {
            _problems.AddSql(source, e.Position, e.Message, SyncRulesErrorCodes.SqlSyntax);
        }
        catch (NotASelectException e)
        {
            report(e.Message, e.Position);
        }

        return null;
    }

    private Dictionary<string, CommonTableExpression> ParseCtes(IReadOnlyList<CteEntry> entries)
    {
        var result = new Dictionary<string, CommonTableExpression>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var report = Reporter(_problems, entry.Query);
            if (Parse(entry.Query, report) is not { } select)
            {
                continue;
            }

            if (new QueryAnalyzer(entry.Query.Sql, _defaultSchema, new SqlScope(null), report).AnalyzeSubquery(select) is { } parsed)
            {
                var cte = new CommonTableExpression(parsed);
                _ctes.Add((entry.Name, entry.Line, entry.Column, cte));
                result[entry.Name] = cte;
            }
        }

        return result;
    }

    private void CompileStreams(SyncRulesDocument document)
    {
        var global = ParseCtes(document.GlobalWith);
        _problems.AddRange(document.Streams.Problems);
        foreach (var entry in document.Streams.Entries)
        {
            _problems.AddRange(entry.Problems);
            var options = new StreamOptions(entry.Name, entry.Priority, entry.AutoSubscribe);
            var root = new SqlScope(null);
            foreach (var (name, cte) in global) root.RegisterCte(name, cte);
            foreach (var (name, cte) in ParseCtes(entry.With)) root.RegisterCte(name, cte);
            var resolvers = new List<StreamResolver>();
            var counter = 0;
            (SqlSource Source, int Position)? firstQuery = null;
            foreach (var source in entry.Queries)
            {
                var report = Reporter(_problems, source);
                if (Parse(source, report) is not { } select)
                {
                    continue;
                }

                var errorsBefore = _problems.ErrorCount;
                var query = new QueryAnalyzer(source.Sql, _defaultSchema, root, report).AnalyzeStream(select);
                if (query is null)
                {
                    continue;
                }

                firstQuery ??= (source, query.Position);
                foreach (var variant in query.Variants)
                {
                    resolvers.Add(new QuerierPath(this, query, report, variant).Resolve(entry.Queries.ToList().IndexOf(source), options, $"{entry.Name}|{counter++}"));
                }

                _ = errorsBefore;
            }

            var merged = new List<StreamResolver>();
            foreach (var resolver in resolvers)
            {
                var key = resolver.InstantiationKey;
                var existing = merged.Find(m => m.InstantiationKey == key);
                if (existing is null)
                {
                    merged.Add(resolver);
                }
                else
                {
                    foreach (var evaluator in resolver.Evaluators.Where(e => !existing.Evaluators.Contains(e)))
                    {
                        existing.Evaluators.Add(evaluator);
                    }
                }
            }

            if (merged.Count > MaxBucketsPerStream && firstQuery is { } first)
            {
                _problems.AddSql(first.Source, first.Position, $"This stream defines too many buckets ({merged.Count}, at most {MaxBucketsPerStream} are allowed). Try splitting queries into separate streams or move inner OR operators in filters to separate queries.", SyncRulesErrorCodes.SqlInvalid);
                continue;
            }

            if (!entry.AcceptPotentiallyDangerousQueries)
            {
                foreach (var resolver in merged)
                {
                    DangerousParameters.Check(resolver, entry.Queries, _problems);
                }
            }

            _resolvers.AddRange(merged);
        }

        foreach (var (name, line, column, cte) in _ctes.Where(c => !c.Cte.Used))
        {
            _problems.Add(line, column, "This common table expression isn't referenced.", SyncRulesErrorCodes.SqlWarning, warning: true);
            _ = name;
        }
    }

    private StreamPlan Build()
    {
        var buckets = new List<(string UniqueName, List<RowProcessor> Evaluators)>();
        var streams = new List<(StreamOptions Options, List<(StreamResolver Resolver, string Bucket)> Queriers)>();
        foreach (var group in _resolvers.GroupBy(r => r.Options.Name))
        {
            var queriers = new List<(StreamResolver, string)>();
            foreach (var resolver in group)
            {
                var set = resolver.Evaluators.Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
                var existing = buckets.FindIndex(b => b.Evaluators.Select(e => e.Key).Order(StringComparer.Ordinal).SequenceEqual(set));
                if (existing < 0)
                {
                    buckets.Add((resolver.UniqueName, resolver.Evaluators));
                    existing = buckets.Count - 1;
                }

                queriers.Add((resolver, buckets[existing].UniqueName));
            }

            streams.Add((group.First().Options, queriers));
        }

        return new StreamPlan(_problems.Items, buckets, _lookups, streams);
    }
}

/// <summary>The compiled plan: problems found, bucket sources, parameter indexes and stream queriers.</summary>
internal sealed record StreamPlan(
    IReadOnlyList<SyncRulesError> Problems,
    IReadOnlyList<(string UniqueName, List<RowProcessor> Evaluators)> Buckets,
    IReadOnlyList<RowProcessor> Lookups,
    IReadOnlyList<(StreamOptions Options, List<(StreamResolver Resolver, string Bucket)> Queriers)> Streams);

/// <summary>Warns when a bucket is reached through client-controlled parameters only (subscription or connection).</summary>
internal static class DangerousParameters
{
    private enum Kind
    {
        Neutral,
        Authenticated,
        Unauthenticated,
    }

    public static void Check(StreamResolver resolver, IReadOnlyList<SqlSource> queries, ErrorSink problems)
    {
        var (kind, origin) = Merge(resolver.Instantiation.Select(Classify));
        if (kind == Kind.Neutral)
        {
            (kind, origin) = Merge(resolver.RequestFilters.Select(ClassifyExpression));
        }

        if (kind == Kind.Unauthenticated && origin is { } o)
        {
            var source = queries[resolver.QueryIndex];
            problems.AddSql(source, o.Position, "Clients can send any value for this unauthenticated parameter, so this is unsuitable for authorization. Consider further constraining this with an authenticated parameter.", SyncRulesErrorCodes.SqlWarning, warning: true);
        }
    }

    private static (Kind, ConnectionData?) Classify(ParameterValue value) => value switch
    {
        RequestValue r => ClassifyExpression(r.Expression),
        LookupValue { Lookup.Index: not null } l => Merge(l.Lookup.Instantiation.Select(Classify)),
        LookupValue l => Merge(((TableValuedResultSet)l.Lookup.Source).Parameters.Select(p => ClassifyExpression(p.Expression))),
        IntersectionValue i => Merge(i.Values.Select(Classify)),
        _ => (Kind.Neutral, null),
    };

    private static (Kind, ConnectionData?) ClassifyExpression(PlanExpr expr)
    {
        var authenticated = false;
        ConnectionData? unauthenticated = null;
        foreach (var d in PlanExpressions.Dependencies(expr))
        {
            if (d is ConnectionData c)
            {
                if (c.Kind == "auth") authenticated = true;
                else unauthenticated ??= c;
            }
        }

        return unauthenticated is not null && !authenticated ? (Kind.Unauthenticated, unauthenticated) : (Kind.Authenticated, null);
    }

    private static (Kind, ConnectionData?) Merge(IEnumerable<(Kind Kind, ConnectionData? Origin)> inner)
    {
        ConnectionData? unauthenticated = null;
        var any = false;
        foreach (var (kind, origin) in inner)
        {
            if (kind == Kind.Authenticated) return (Kind.Authenticated, null);
            if (kind == Kind.Unauthenticated && !any)
            {
                any = true;
                unauthenticated = origin;
            }
        }

        return any ? (Kind.Unauthenticated, unauthenticated) : (Kind.Neutral, null);
    }
}
