namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>Reports a problem at an offset of the query being analyzed.</summary>
internal delegate void ProblemReporter(string message, int position, bool warning = false);

/// <summary>One output column of a stream query: <c>*</c> (Expression null) or an expression with its name.</summary>
internal sealed record OutputColumn(PlanExpr? Expression, string Name);

/// <summary>A base term of a filter's disjunctive normal form: an expression over one source, or <c>a = b</c> across two.</summary>
internal abstract record FilterTerm(int Position);

internal sealed record SingleTerm(SingleDependency Dependency) : FilterTerm(Dependency.Position);

internal sealed record EqualsTerm(SingleDependency Left, SingleDependency Right, int Position) : FilterTerm(Position);

/// <summary>A stream query as analyzed: what it syncs from which table, and its filter as OR-ed AND-lists of terms.</summary>
internal sealed record AnalyzedQuery(IReadOnlyList<OutputColumn> Columns, PhysicalResultSet Source, IReadOnlyList<List<FilterTerm>> Variants, int Position);

/// <summary>
/// Analyzes one SELECT of a stream (or a CTE / subquery): resolves names against FROM, CTEs and
/// subqueries, lowers expressions to the plan form and brings the
/// filter into disjunctive normal form, as the official compiler does.
/// </summary>
internal sealed partial class QueryAnalyzer
{
    private readonly ProblemReporter _report;
    private readonly string _sql;
    private readonly string _defaultSchema;
    private readonly SqlScope _scope;
    private readonly List<(SyntacticSource Source, ResultSet ResultSet)> _resultSets = [];
    private readonly Dictionary<SyntacticSource, ParsedSubquery> _subqueries = new(ReferenceEqualityComparer.Instance);
    private readonly List<PlanExpr> _where = [];
    private readonly List<OutputColumn> _columns = [];
    private readonly Counter _synthetic;
    private PhysicalResultSet? _primary;

    public QueryAnalyzer(string sql, string defaultSchema, SqlScope parent, ProblemReporter report, Counter? synthetic = null)
    {
        _sql = sql;
        _defaultSchema = defaultSchema;
        _scope = new SqlScope(parent);
        _report = report;
        _synthetic = synthetic ?? new Counter();
    }

    /// <summary>Shared numbering of synthetic json_each aliases.</summary>
    internal sealed class Counter
    {
        public int Next;
    }

    public AnalyzedQuery? AnalyzeStream(Select select)
    {
        Process(select, forSubquery: false);
        if (_primary is null)
        {
            return null;
        }

        return new AnalyzedQuery(_columns, _primary, CompileFilter(select), select.Position);
    }

    public ParsedSubquery? AnalyzeSubquery(Select select, IReadOnlyList<string>? columnNames = null)
    {
        Process(select, forSubquery: true);
        var columns = new Dictionary<string, PlanExpr>(StringComparer.Ordinal);
        foreach (var column in select.Columns)
        {
            if (column.Expr is Reference { IsStar: true })
            {
                _report("* columns are not allowed in subqueries or common table expressions", column.Expr.Position);
                continue;
            }

            var name = columnNames is not null && columns.Count < columnNames.Count ? columnNames[columns.Count] : InferName(column);
            var expr = Lower(column.Expr);
            if (!columns.TryAdd(name, expr))
            {
                _report($"There is a column named '{name}' already.", column.Expr.Position);
            }
        }

        return new ParsedSubquery(columns, [.. _resultSets], Compose("and", _where));
    }

    private static PlanExpr? Compose(string op, List<PlanExpr> terms) =>
        terms.Count == 0 ? null : terms.Skip(1).Aggregate(terms[0], (l, r) => new BinaryPlan(op, l, r));

    private void Process(Select select, bool forSubquery)
    {
        foreach (var from in select.From)
        {
            ProcessFrom(from);
        }

        if (select.Where is not null)
        {
            _where.Add(Lower(select.Where));
        }

        if (!forSubquery)
        {
            ProcessColumns(select);
        }

        foreach (var clause in select.Unsupported)
        {
            _report($"{clause.Description} is not supported", clause.Position);
        }
    }

    private void AddSubquery(SyntacticSource source, ParsedSubquery subquery)
    {
        _resultSets.AddRange(subquery.Tables);
        if (subquery.Where is not null)
        {
            _where.Add(subquery.Where);
        }

        _subqueries[source] = subquery;
    }

    private void ProcessFrom(FromSource from)
    {
        switch (from)
        {
            case TableSource table:
                var name = table.Alias ?? table.Name;
                var source = new SyntacticSource(table.NamePosition, table.NameLength, table.Alias);
                if (!_scope.Register(name, source))
                {
                    _report($"Table with name {name} already exists in scope", table.NamePosition);
                }

                if (table.Schema is null && _scope.ResolveCte(table.Name) is { } cte)
                {
                    AddSubquery(source, cte.Clone());
                }
                else
                {
                    var pattern = new SourceTablePattern(table.Schema ?? _defaultSchema, table.Name);
                    _resultSets.Add((source, new PhysicalResultSet(pattern, table.Name, source)));
                }

                break;
            case FunctionSource function:
                var fnSource = new SyntacticSource(function.Position, function.Length, function.Alias);
                _resultSets.Add((fnSource, TableValued(function.Function, fnSource)));
                if (!_scope.Register(function.Alias ?? function.Function.Name, fnSource))
                {
                    _report($"Table with name {function.Alias ?? function.Function.Name} already exists in scope", function.Position);
                }

                break;
            case SubquerySource subquery:
                var subSource = new SyntacticSource(subquery.Position, subquery.Length, subquery.Alias);
                var inner = new QueryAnalyzer(_sql, _defaultSchema, _scope.Root, _report, _synthetic);
                inner.InheritFrom(this);
                if (inner.AnalyzeSubquery(subquery.Select) is { } parsed)
                {
                    if (subquery.Alias is null)
                    {
                        _report("Syntax error: a subquery in FROM needs an alias", subquery.Position);
                    }
                    else
                    {
                        _scope.Register(subquery.Alias, subSource);
                    }

                    AddSubquery(subSource, parsed);
                }

                break;
        }

        if (from.Join is { } join)
        {
            if (join.Kind != "INNER JOIN")
            {
                _report("FULL JOIN is not supported", join.Position);
            }

            if (join.UsingPosition >= 0)
            {
                _report("USING is not supported", join.UsingPosition);
            }

            if (join.On is not null)
            {
                _where.Add(Lower(join.On));
            }
        }
    }

    private void InheritFrom(QueryAnalyzer outer)
    {
        _resultSets.AddRange(outer._resultSets);
        foreach (var (k, v) in outer._subqueries)
        {
            _subqueries[k] = v;
        }
    }

    private TableValuedResultSet TableValued(Call call, SyntacticSource source)
    {
        var arguments = new List<SingleDependency>();
        ResultSet? referenced = null;
        var referencesConnection = false;
        var valid = true;
        foreach (var argument in call.Args)
        {
            var parsed = MustBeSingleDependency(Lower(argument), argument.Position, argument.Length);
            arguments.Add(parsed);
            if (referencesConnection && parsed.ResultSet is not null)
            {
                valid = false;
            }
            else if (referenced is not null && !ReferenceEquals(referenced, parsed.ResultSet))
            {
                valid = false;
            }
            else
            {
                if (parsed.ResultSet is not null)
                {
                    if (parsed.ResultSet is PhysicalResultSet)
                    {
                        referenced = parsed.ResultSet;
                    }
                    else
                    {
                        _report("Table-valued functions must depend on source tables.", argument.Position);
                        valid = false;
                    }
                }

                referencesConnection = parsed.DependsOnConnection;
            }
        }

        if (!valid)
        {
            _report("Table-valued functions may only have a single table as inputs", call.Position);
        }

        if (call.Name != "json_each")
        {
            _report($"Unknown table-valued function: {call.Name}", call.Position);
        }

        return new TableValuedResultSet(call.Name, valid ? arguments : [], source);
    }

    private string InferName(ResultColumn column)
    {
        if (column.Alias is not null)
        {
            return column.Alias;
        }

        if (column.Expr is Reference r)
        {
            return r.Name;
        }

        _report("The name of this column is unspecified, consider adding an alias.", column.Expr.Position, warning: true);
        return _sql.Substring(column.Expr.Position, column.Expr.Length);
    }

    private void ProcessColumns(Select select)
    {
        string? seenAlias = null;
        foreach (var column in select.Columns)
        {
            if (column.Expr is Reference { IsStar: true } star)
            {
                switch (ResolveTable(star, star.Table))
                {
                    case ResultSet set:
                        SelectsFrom(set, star.Position);
                        if (seenAlias is not null)
                        {
                            _report($"A '*' column after aliased columns may give unexpected results: If the source row contains a column named '{seenAlias}', '*' would overwrite it.", star.Position, warning: true);
                        }

                        _columns.Add(new OutputColumn(null, "*"));
                        break;
                    case ParsedSubquery subquery:
                        foreach (var (name, expr) in subquery.Columns)
                        {
                            AddColumn(expr, name, star.Position);
                        }

                        break;
                }

                continue;
            }

            if (column.Alias is not null)
            {
                seenAlias = column.Alias;
            }

            var lowered = Lower(column.Expr);
            AddColumn(lowered, InferName(column), column.Expr.Position);
        }

        if (_primary is null)
        {
            _report("Must have a result column selecting from a table", select.Position);
        }
    }

    private void AddColumn(PlanExpr expr, string name, int position)
    {
        foreach (var dependency in PlanExpressions.Dependencies(expr))
        {
            if (dependency is ColumnInRow c)
            {
                if (!SelectsFrom(c.ResultSet, c.Position))
                {
                    return;
                }
            }
            else
            {
                _report("This attempts to sync a connection parameter. Only values from the source database can be synced.", dependency.Position);
                return;
            }
        }

        _columns.Add(new OutputColumn(expr, name));
        _ = position;
    }

    private bool SelectsFrom(ResultSet set, int position)
    {
        if (set is not PhysicalResultSet physical)
        {
            _report("Sync streams can only select from actual tables", position);
            return false;
        }

        if (_primary is null)
        {
            _primary = physical;
        }
        else if (!ReferenceEquals(_primary, physical))
        {
            _report($"Sync streams can only select from a single table, and this one already selects from '{_primary.NameAsWritten}'.", position);
            return false;
        }

        return true;
    }

    /// <summary>A result set (table or function) or a subquery's columns, for a qualified or unqualified reference.</summary>
    private object? ResolveTable(Node node, string? name)
    {
        SyntacticSource? source;
        if (name is null)
        {
            source = _scope.DefaultResultSet;
            if (source is null)
            {
                _report("Invalid unqualified reference since multiple tables are in scope", node.Position);
                return null;
            }
        }
        else
        {
            source = _scope.Resolve(name);
            if (source is null)
            {
                _report($"Table '{name}' has not been added in a FROM clause here.", node.Position);
                return null;
            }
        }

        foreach (var (s, set) in _resultSets)
        {
            if (ReferenceEquals(s, source))
            {
                return set;
            }
        }

        return _subqueries.TryGetValue(source, out var subquery) ? subquery : null;
    }
}
