namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>Where a result set was written (its identity): FROM item, CTE reference or synthetic json_each.</summary>
internal sealed class SyntacticSource(int position, int length, string? explicitName)
{
    public int Position { get; } = position;

    public int Length { get; } = length;

    public string? ExplicitName { get; } = explicitName;
}

/// <summary>A set of rows a query reads: a source table, or a table-valued function (json_each).</summary>
internal abstract class ResultSet(SyntacticSource source)
{
    public SyntacticSource Source { get; } = source;

    public abstract string Description { get; }

    /// <summary>The result set whose rows are evaluated for this one (a table-valued function on a table: that table).</summary>
    public abstract ResultSet EvaluationTarget { get; }

    public abstract ResultSet Clone(Func<SyntacticSource, SyntacticSource> source, Func<PlanExpr, PlanExpr> expression);

    public static bool AreCompatible(ResultSet a, ResultSet b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        return a is TableValuedResultSet ta ? ta.CanAttachTo(b) : b is TableValuedResultSet tb && tb.CanAttachTo(a);
    }
}

/// <summary>A source database table (or pattern).</summary>
internal sealed class PhysicalResultSet(SourceTablePattern pattern, string nameAsWritten, SyntacticSource source) : ResultSet(source)
{
    public SourceTablePattern Pattern { get; } = pattern;

    public string NameAsWritten { get; } = nameAsWritten;

    public override string Description => NameAsWritten;

    public override ResultSet EvaluationTarget => this;

    /// <summary>object_type of synced rows: the alias, else the name as written (null for an unaliased wildcard: the row's table).</summary>
    public string? OutputName => Source.ExplicitName ?? (Pattern.IsWildcard ? null : NameAsWritten);

    public override ResultSet Clone(Func<SyntacticSource, SyntacticSource> source, Func<PlanExpr, PlanExpr> expression) =>
        new PhysicalResultSet(Pattern, NameAsWritten, source(Source));
}

/// <summary>One input of a table-valued function: its expression and what it depends on.</summary>
internal sealed record SingleDependency(PlanExpr Expression, ResultSet? ResultSet, bool DependsOnConnection, int Position, int Length);

/// <summary><c>json_each(x)</c>: on a table's column (attached to that table) or on request data.</summary>
internal sealed class TableValuedResultSet : ResultSet
{
    private bool _attachDecided;
    private ResultSet? _attachedTo;

    public TableValuedResultSet(string functionName, IReadOnlyList<SingleDependency> parameters, SyntacticSource source)
        : base(source)
    {
        FunctionName = functionName;
        Parameters = parameters;
        if (parameters.Count > 0)
        {
            var first = parameters[0];
            if (first.DependsOnConnection)
            {
                _attachDecided = true;
            }
            else if (first.ResultSet is not null)
            {
                _attachDecided = true;
                _attachedTo = first.ResultSet;
            }
        }
    }

    public string FunctionName { get; }

    public IReadOnlyList<SingleDependency> Parameters { get; }

    /// <summary>The table this function expands rows of, or null (request data, or not decided).</summary>
    public ResultSet? InputResultSet => _attachedTo;

    public override string Description => FunctionName;

    public override ResultSet EvaluationTarget => _attachedTo ?? this;

    public bool CanAttachTo(ResultSet table)
    {
        if (ReferenceEquals(_attachedTo, table))
        {
            return true;
        }

        if (!_attachDecided && table is PhysicalResultSet)
        {
            _attachDecided = true;
            _attachedTo = table;
            return true;
        }

        return false;
    }

    /// <summary>Identity for de-duplication: the function and its inputs.</summary>
    public string Key => FunctionName + "(" + string.Join(",", Parameters.Select(p => PlanExpressions.Key(p.Expression))) + ")";

    public override ResultSet Clone(Func<SyntacticSource, SyntacticSource> source, Func<PlanExpr, PlanExpr> expression) =>
        new TableValuedResultSet(FunctionName, Parameters.Select(p => p with { Expression = expression(p.Expression) }).ToList(), source(Source));
}

/// <summary>A subquery or CTE as analyzed: its named result columns, the tables it reads, its filter.</summary>
internal sealed class ParsedSubquery(Dictionary<string, PlanExpr> columns, List<(SyntacticSource Source, ResultSet ResultSet)> tables, PlanExpr? where)
{
    public Dictionary<string, PlanExpr> Columns { get; } = columns;

    public List<(SyntacticSource Source, ResultSet ResultSet)> Tables { get; } = tables;

    public PlanExpr? Where { get; } = where;

    /// <summary>A copy with fresh result sets, so that each reference of a CTE is a table of its own.</summary>
    public ParsedSubquery Clone()
    {
        var sources = new Dictionary<SyntacticSource, SyntacticSource>(ReferenceEqualityComparer.Instance);
        foreach (var t in Tables) sources[t.Source] = new SyntacticSource(t.Source.Position, t.Source.Length, t.Source.ExplicitName);
        var sets = new Dictionary<ResultSet, ResultSet>(ReferenceEqualityComparer.Instance);
        PlanExpr Map(PlanExpr e) => PlanExpressions.Map(e, d => d is ColumnInRow c && sets.TryGetValue(c.ResultSet, out var r) ? new DataRef(c with { ResultSet = r }) : new DataRef(d));
        foreach (var (_, set) in Tables)
        {
            sets[set] = set.Clone(s => sources[s], Map);
        }

        return new ParsedSubquery(
            Columns.ToDictionary(c => c.Key, c => Map(c.Value)),
            Tables.Select(t => (sources[t.Source], sets[t.ResultSet])).ToList(),
            Where is null ? null : Map(Where));
    }
}

/// <summary>A CTE in scope, and whether anything referenced it.</summary>
internal sealed class CommonTableExpression(ParsedSubquery query)
{
    public ParsedSubquery Query { get; } = query;

    public bool Used { get; set; }
}

/// <summary>Names in scope: result sets of FROM and CTEs, with the parent scope behind them.</summary>
internal sealed class SqlScope(SqlScope? parent)
{
    private readonly Dictionary<string, SyntacticSource> _sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CommonTableExpression> _ctes = new(StringComparer.Ordinal);

    public SqlScope Root => parent?.Root ?? this;

    public SyntacticSource? DefaultResultSet => _sets.Count == 0 ? parent?.DefaultResultSet : _sets.Count == 1 ? _sets.Values.First() : null;

    public bool Register(string name, SyntacticSource source) => _sets.TryAdd(name.ToLowerInvariant(), source);

    public SyntacticSource? Resolve(string name) => _sets.GetValueOrDefault(name.ToLowerInvariant()) ?? parent?.Resolve(name);

    public void RegisterCte(string name, CommonTableExpression cte) => _ctes[name.ToLowerInvariant()] = cte;

    public ParsedSubquery? ResolveCte(string name)
    {
        if (_ctes.TryGetValue(name.ToLowerInvariant(), out var cte))
        {
            cte.Used = true;
            return cte.Query;
        }

        return parent?.ResolveCte(name);
    }
}
