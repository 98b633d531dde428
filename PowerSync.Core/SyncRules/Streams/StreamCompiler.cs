using PowerSync.Core.SyncRules.Expressions;
using PowerSync.Core.SyncRules.Queries;

namespace PowerSync.Core.SyncRules.Streams;

/// <summary>
/// Compiles a Sync Stream query (edition 2 "alpha" parser): one table, a WHERE over row values,
/// <c>auth.*</c>/<c>subscription.*</c>/<c>connection.*</c> parameters and <c>IN (SELECT ...)</c> subqueries,
/// brought into disjunctive normal form where each OR branch is a bucket variant.
/// </summary>
internal sealed class StreamCompiler
{
    private static readonly string[] StreamSchemas = ["auth", "subscription", "connection"];

    private readonly string _name;
    private readonly SqlSource _source;
    private readonly SyncRulesConfig _config;
    private readonly string _defaultSchema;
    private readonly ErrorSink _errors;
    private readonly List<CompiledSubquery> _allSubqueries = [];
    private readonly List<ExpressionCompiler> _compilers = [];
    private int _queryCounter;

    private StreamCompiler(string name, SqlSource source, SyncRulesConfig config, string defaultSchema, ErrorSink errors)
    {
        _name = name;
        _source = source;
        _config = config;
        _defaultSchema = defaultSchema;
        _errors = errors;
    }

    public static SyncStream? Compile(string name, SqlSource source, bool autoSubscribe, int priority, SyncRulesConfig config, string defaultSchema, ErrorSink errors) =>
        new StreamCompiler(name, source, config, defaultSchema, errors).Compile(autoSubscribe, priority);

    private SyncStream? Compile(bool autoSubscribe, int priority)
    {
        if (QueryChecks.Parse(_source, _errors) is not { } select)
        {
            return null;
        }

        var errorsBefore = _errors.ErrorCount;
        if (select.From is null || select.From.Function is not null || select.ExtraFrom.Count > 0)
        {
            _errors.AddSql(_source, select.From?.Position ?? select.Position, "Must SELECT from a single table", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        var data = DataQueryCompiler.Compile(_source, select with { Where = null }, [], _config, _defaultSchema, _errors);
        var tools = Tools(select.From.EffectiveName);
        var filter = ToFilter(tools, select.Where).ToDnf(c => tools.Negate(c, select.Where!));
        var variants = new List<StreamVariant>();
        if (filter.Literals().OfType<NotFilter>().FirstOrDefault() is { } not)
        {
            _errors.AddSql(_source, not.Position, "Negations are not allowed here", SyncRulesErrorCodes.SqlInvalid);
        }
        else
        {
            variants = CompileVariants(filter);
        }

        foreach (var compiler in _compilers)
        {
            QueryChecks.ReportCompileErrors(_source, compiler.Errors, _errors);
        }

        var failed = _errors.ErrorCount > errorsBefore;
        return failed || data is null ? null : new SyncStream(_name, autoSubscribe, priority, data, variants, _allSubqueries);
    }

    private ExpressionCompiler Tools(string table)
    {
        var compiler = new ExpressionCompiler(new ExpressionScope
        {
            ValueTables = [table],
            DefaultTable = table,
            ParameterTables = [],
            SupportsParameterExpressions = true,
            SupportsExpandingParameters = true,
            SupportsOverlap = true,
            ParameterFunctionSchemas = StreamSchemas,
            Functions = new SqlFunctions(_config.FixedJsonExtract),
            QueryKind = "streams",
        });
        _compilers.Add(compiler);
        return compiler;
    }

    private static SimpleFilter True() => new SimpleFilter(0, CompiledExpression.Static(SqlValueSemantics.True));

    private StreamFilter ToFilter(ExpressionCompiler tools, SqlExpr? expr)
    {
        switch (expr)
        {
            case null:
                return True();
            case BinaryExpr { Op: "AND" or "OR" } bin:
                {
                    var left = ToFilter(tools, bin.Left);
                    var right = ToFilter(tools, bin.Right);
                    if (left is SimpleFilter l && right is SimpleFilter r && l.Condition.Kind != CompiledExpressionKind.Match && r.Condition.Kind != CompiledExpressionKind.Match)
                    {
                        try
                        {
                            var combined = bin.Op == "AND" ? ConditionOperators.And(l.Condition, r.Condition) : ConditionOperators.Or(l.Condition, r.Condition);
                            if (combined.Kind != CompiledExpressionKind.Match)
                            {
                                return new SimpleFilter(bin.Position, combined);
                            }
                        }
                        catch (SqlEvaluationException)
                        {
                            // Row and request values: keep them as separate filters.
                        }
                    }

                    return bin.Op == "AND" ? new AndFilter(bin.Position, [left, right]) : new OrFilter(bin.Position, [left, right]);
                }

            case BinaryExpr { Op: "IN" or "NOT IN" or "&&" } bin:
                {
                    var f = CompileIn(tools, bin);
                    return bin.Op == "NOT IN" ? new NotFilter(bin.Position, f) : f;
                }

            case UnaryExpr { Op: "NOT" } un:
                {
                    var inner = ToFilter(tools, un.Operand);
                    return inner is SimpleFilter s && s.Condition.Kind != CompiledExpressionKind.Match
                        ? s with { Condition = tools.Negate(s.Condition, un) }
                        : new NotFilter(un.Position, inner);
                }

            default:
                return new SimpleFilter(expr.Position, tools.Compile(expr));
        }
    }

    private StreamFilter CompileIn(ExpressionCompiler tools, BinaryExpr bin)
    {
        var overlap = bin.Op == "&&";
        var left = tools.Compile(bin.Left);
        if (left.Kind == CompiledExpressionKind.Error)
        {
            return True();
        }

        if (bin.Right is SubqueryExpr sub)
        {
            if (overlap && left.Kind != CompiledExpressionKind.Row)
            {
                tools.Report("The left-hand side of an && operator must be derived from the row to sync.", bin.Left);
                return True();
            }

            if (left.Kind == CompiledExpressionKind.Match)
            {
                tools.Report("This may contain values derived from the source row to sync or a value derived from stream parameters, but never both.", bin.Left);
                return True();
            }

            var subquery = CompileSubquery(sub.Select);
            if (subquery is null)
            {
                return True();
            }

            if (left.Kind == CompiledExpressionKind.Static)
            {
                tools.Report("For IN subqueries, the left operand must either depend on the row to sync or stream parameters.", bin.Left);
                return True();
            }

            if (left.Kind == CompiledExpressionKind.Parameter)
            {
                subquery.AddFilter(new SimpleFilter(bin.Position, ConditionOperators.RowEqualsParameter(subquery.Column, left)));
                return new ExistsSubqueryFilter(bin.Position, subquery);
            }

            return new InSubqueryFilter(bin.Position, left.RowEvaluator, subquery, overlap);
        }

        var right = tools.Compile(bin.Right);
        if (right.Kind == CompiledExpressionKind.Error)
        {
            return True();
        }

        if (bin.Op == "NOT IN")
        {
            return new SimpleFilter(bin.Position, tools.CompileIn(bin with { Op = "IN" }, left, right, overlap: false));
        }

        return new SimpleFilter(bin.Position, tools.CompileIn(bin, left, right, overlap));
    }

    private StreamSubquery? CompileSubquery(SelectStatement select)
    {
        if (select.From is null || select.From.Function is not null || select.ExtraFrom.Count > 0)
        {
            _errors.AddSql(_source, select.Position, "Must SELECT from a single table", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        QueryChecks.ReportUnsupported(_source, select, _errors);
        var tools = Tools(select.From.EffectiveName);
        if (select.Columns.Count != 1)
        {
            _errors.AddSql(_source, select.Position, "This subquery must return exactly one column", SyncRulesErrorCodes.SqlInvalid);
            return null;
        }

        var column = tools.Compile(select.Columns[0].Expr);
        if (column.Kind == CompiledExpressionKind.Error)
        {
            return null;
        }

        if (!column.IsRowValue)
        {
            tools.Report("Parameter match expression is not allowed here", select.Columns[0].Expr);
            return null;
        }

        var table = new SourceTablePattern(select.From.Schema ?? _defaultSchema, select.From.Name);
        return new StreamSubquery(table, column, ToFilter(tools, select.Where));
    }

    private List<StreamVariant> CompileVariants(StreamFilter filter)
    {
        var variants = new List<StreamVariant>();
        var branches = filter is OrFilter or ? or.Terms : [filter];
        foreach (var branch in branches)
        {
            var variant = new StreamVariant(variants.Count);
            variants.Add(variant);
            foreach (var literal in branch.Literals())
            {
                CompileLiteral(variant, literal);
            }
        }

        return variants;
    }

    private void CompileLiteral(StreamVariant variant, StreamFilter literal)
    {
        switch (literal)
        {
            case SimpleFilter { Condition.Kind: CompiledExpressionKind.Error }:
                break;
            case SimpleFilter { Condition.Kind: CompiledExpressionKind.Static or CompiledExpressionKind.Row } s:
                variant.RowFilters.Add(s.Condition.RowEvaluator);
                break;
            case SimpleFilter { Condition.Kind: CompiledExpressionKind.Parameter } s:
                variant.RequestFilters.Add(s.Condition.RequestEvaluator);
                break;
            case SimpleFilter { Condition.Kind: CompiledExpressionKind.Match } s:
                AddMatchParameters(variant, s.Condition.Match!);
                break;
            case InSubqueryFilter inSub:
                {
                    var compiled = CompileSubqueryVariants(variant, inSub.Subquery, inSub.Position);
                    var left = inSub.Left;
                    variant.Parameters.Add(new StreamParameter
                    {
                        Subquery = compiled,
                        FilterRow = inSub.Overlap
                            ? row => left(row) is { IsNull: false } v
                                ? SqlValueSemantics.JsonArray(v, "Left side of && must evaluate to an array").Select(StreamVariant.AsParameter).Where(p => p is not null).Select(p => p!.Value).ToList()
                                : []
                            : row => left(row) is var v && v.Type != SqliteType.Blob ? [ParamValue.Of(v)] : [],
                    });
                    break;
                }

            case ExistsSubqueryFilter exists:
                variant.ExistsFilters.Add(CompileSubqueryVariants(variant, exists.Subquery, exists.Position));
                break;
        }
    }

    private static void AddMatchParameters(StreamVariant variant, ParameterMatch match)
    {
        foreach (var input in match.Inputs)
        {
            var key = input.Key;
            var lookup = input.Lookup!;
            variant.Parameters.Add(new StreamParameter
            {
                FromRequest = input.Expands
                    ? request => SqlValueSemantics.ToText(lookup(request)) is { } text && Json.JsonParser.TryParse(text, plainNumbers: true) is { Items: { } items }
                        ? items.Select(StreamVariant.AsParameter).Where(p => p is not null).Select(p => p!.Value).ToList()
                        : []
                    : request => lookup(request) is var v && v.Type != SqliteType.Blob ? [ParamValue.Of(v)] : [],
                FilterRow = row => match.Filter(row)
                    .Select(m => m[key])
                    .Where(v => v.Raw is null ? !v.Value.IsNull : v.Raw.Kind != Json.JsonKind.Null)
                    .ToList(),
            });
        }
    }

    private CompiledSubquery CompileSubqueryVariants(StreamVariant outer, StreamSubquery subquery, int position)
    {
        var tools = _compilers[^1];
        var filter = subquery.Filter.ToDnf(c => tools.Negate(c, new LiteralExpr(SqliteValue.Null, position, 1)));
        var branches = filter is OrFilter or ? or.Terms : [filter];
        if (branches.Count != 1)
        {
            _errors.AddSql(_source, position, "Stream subqueries can't use OR filters", SyncRulesErrorCodes.SqlInvalid);
        }

        var inner = new List<(StreamVariant, string)>();
        foreach (var branch in branches.Take(1))
        {
            var variant = new StreamVariant(0);
            foreach (var literal in branch.Literals())
            {
                if (literal is SimpleFilter)
                {
                    CompileLiteral(variant, literal);
                }
                else
                {
                    _errors.AddSql(_source, literal.Position, "Unsupported condition for stream subqueries", SyncRulesErrorCodes.SqlInvalid);
                }
            }

            if (variant.Parameters.Count == 0)
            {
                _errors.AddSql(_source, position, "Unsupported subquery without parameter, must depend on request parameters", SyncRulesErrorCodes.SqlInvalid);
            }

            inner.Add((variant, _queryCounter++.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var compiled = new CompiledSubquery(_name, subquery.Table, subquery.Column.RowEvaluator, inner);
        outer.Subqueries.Add(compiled);
        _allSubqueries.Add(compiled);
        return compiled;
    }
}
