namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>The WHERE clause in disjunctive normal form, with terms merged by what they depend on.</summary>
internal sealed partial class QueryAnalyzer
{
    private const int MaxTerms = 100;

    private abstract record BoolTree;

    private sealed record AndTree(List<BoolTree> Inner) : BoolTree;

    private sealed record OrTree(List<BoolTree> Inner) : BoolTree;

    private sealed record NotTree(BoolTree Inner) : BoolTree;

    private sealed record BaseTree(PlanExpr Expr) : BoolTree;

    private sealed class TooManyTerms : Exception;

    private List<List<FilterTerm>> CompileFilter(Select select)
    {
        var root = new AndTree(_where.Select(Extract).ToList());
        BoolTree dnf;
        try
        {
            dnf = Prepare(root);
        }
        catch (TooManyTerms)
        {
            _report("For Sync Streams, inner OR operators need to be moved up to be top-level filters. Applying that to this query results in too many inner nodes.", select.Where?.Position ?? select.Position);
            return [[]];
        }

        var conjunctions = dnf switch
        {
            OrTree or => or.Inner.Select(t => t is AndTree a ? a.Inner : [t]).ToList(),
            AndTree and => [and.Inner],
            _ => [[dnf]],
        };

        var mapped = conjunctions.Select(c => c.Select(t => MapBase(((BaseTree)t).Expr)).ToList()).ToList();
        return SimplifyOr(mapped);
    }

    private static BoolTree Extract(PlanExpr expr) => expr switch
    {
        BinaryPlan { Op: "and" } b => new AndTree([Extract(b.Left), Extract(b.Right)]),
        BinaryPlan { Op: "or" } b => new OrTree([Extract(b.Left), Extract(b.Right)]),
        UnaryPlan { Op: "not" } u => new NotTree(Extract(u.Operand)),
        _ => new BaseTree(expr),
    };

    private BoolTree Prepare(BoolTree tree)
    {
        switch (tree)
        {
            case NotTree { Inner: NotTree twice }:
                return Prepare(twice.Inner);
            case NotTree { Inner: AndTree and }:
                return Prepare(new OrTree(and.Inner.Select(e => Prepare(new NotTree(e))).ToList()));
            case NotTree { Inner: OrTree or }:
                return Prepare(new AndTree(or.Inner.Select(e => Prepare(new NotTree(e))).ToList()));
            case NotTree { Inner: BaseTree b }:
                var negated = Not(b.Expr);
                _positions.TryAdd(negated, PositionOf(b.Expr));
                return new BaseTree(negated);
            case AndTree and:
                var factors = new List<BoolTree>();
                var ors = new List<OrTree>();
                var expanded = 1;
                foreach (var term in and.Inner)
                {
                    switch (Prepare(term))
                    {
                        case AndTree inner: factors.AddRange(inner.Inner); break;
                        case OrTree inner: ors.Add(inner); expanded *= inner.Inner.Count; break;
                        case var other: factors.Add(other); break;
                    }
                }

                if (ors.Count == 0)
                {
                    return new AndTree(factors);
                }

                if (expanded > MaxTerms)
                {
                    throw new TooManyTerms();
                }

                var products = new List<List<BoolTree>> { new() };
                foreach (var or in ors)
                {
                    products = products.SelectMany(p => or.Inner.Select(i => new List<BoolTree>(p) { i })).ToList();
                }

                return new OrTree(products.Select(p => Prepare(new AndTree([.. p, .. factors]))).ToList());
            case OrTree or:
                var flat = new List<BoolTree>();
                foreach (var term in or.Inner)
                {
                    if (Prepare(term) is OrTree inner) flat.AddRange(inner.Inner);
                    else flat.Add(Prepare(term));
                }

                return new OrTree(flat);
            default:
                return tree;
        }
    }

    private FilterTerm MapBase(PlanExpr expr)
    {
        if (expr is BinaryPlan { Op: "=" } equals)
        {
            return new EqualsTerm(MustBeSingleDependency(equals.Left, PositionOf(equals.Left), 0), MustBeSingleDependency(equals.Right, PositionOf(equals.Right), 0), PositionOf(equals));
        }

        return new SingleTerm(MustBeSingleDependency(expr, PositionOf(expr), 0));
    }

    /// <summary>Reports an expression reading two tables, or a table and the request (only '=' may join them).</summary>
    private SingleDependency MustBeSingleDependency(PlanExpr expr, int position, int length)
    {
        ResultSet? resultSet = null;
        var connection = false;
        var failed = false;
        foreach (var dependency in PlanExpressions.Dependencies(expr))
        {
            if (dependency is ColumnInRow column)
            {
                if (connection)
                {
                    _report("This expression already references connection parameters, so it can't also reference row data unless the two are compared with an equals operator.", dependency.Position);
                    failed = true;
                }
                else if (resultSet is not null && !ResultSet.AreCompatible(resultSet, column.ResultSet))
                {
                    _report($"This expression already references '{resultSet.Description}', so it can't also reference data from this row unless the two are compared with an equals operator.", dependency.Position);
                    failed = true;
                }

                resultSet = column.ResultSet;
            }
            else
            {
                if (resultSet is not null)
                {
                    _report("This expression already references row data, so it can't also reference connection parameters unless the two are compared with an equals operator.", dependency.Position);
                    failed = true;
                }

                connection = true;
            }
        }

        return failed
            ? new SingleDependency(PlanExpressions.Null, null, false, position, length)
            : new SingleDependency(expr, resultSet, connection, position, length);
    }

    /// <summary>The single result set (or request data) all inputs depend on, or null when they depend on several.</summary>
    internal static (ResultSet? ResultSet, bool Connection)? SingleSource(IEnumerable<DataSource> inputs)
    {
        ResultSet? resultSet = null;
        var connection = false;
        foreach (var dependency in inputs)
        {
            if (dependency is ColumnInRow column)
            {
                if (connection || (resultSet is not null && !ResultSet.AreCompatible(resultSet, column.ResultSet)))
                {
                    return null;
                }

                resultSet = column.ResultSet;
            }
            else
            {
                if (resultSet is not null)
                {
                    return null;
                }

                connection = true;
            }
        }

        return (resultSet, connection);
    }

    private static List<List<FilterTerm>> SimplifyOr(List<List<FilterTerm>> terms)
    {
        var andTerms = new List<List<FilterTerm>>();
        var baseTerms = new List<FilterTerm>();
        foreach (var term in terms)
        {
            var simplified = MergeByDependencies("and", term);
            if (simplified.Count == 1)
            {
                baseTerms.Add(simplified[0]);
            }
            else
            {
                andTerms.Add(simplified);
            }
        }

        foreach (var merged in MergeByDependencies("or", baseTerms))
        {
            andTerms.Add([merged]);
        }

        return andTerms;
    }

    private static List<FilterTerm> MergeByDependencies(string op, List<FilterTerm> terms)
    {
        var byResultSet = new List<(ResultSet Set, List<SingleDependency> Terms)>();
        var noResultSet = new List<SingleDependency>();
        var rest = new List<FilterTerm>();
        foreach (var term in terms)
        {
            var simplified = SimplifyBase(term);
            if (simplified is SingleTerm single)
            {
                if (single.Dependency.ResultSet is { } set)
                {
                    var group = byResultSet.FindIndex(g => ReferenceEquals(g.Set, set));
                    if (group < 0) byResultSet.Add((set, [single.Dependency]));
                    else byResultSet[group].Terms.Add(single.Dependency);
                }
                else
                {
                    noResultSet.Add(single.Dependency);
                }
            }
            else
            {
                rest.Add(term);
            }
        }

        if (noResultSet.Count > 0) rest.Add(Compose(op, noResultSet));
        foreach (var (_, group) in byResultSet)
        {
            rest.Add(Compose(op, group));
        }

        return rest;
    }

    private static SingleTerm Compose(string op, List<SingleDependency> terms)
    {
        var expr = terms.Skip(1).Aggregate(terms[0].Expression, (l, r) => new BinaryPlan(op, l, r.Expression));
        var source = SingleSource(PlanExpressions.Dependencies(expr))!.Value;
        return new SingleTerm(new SingleDependency(expr, source.ResultSet, source.Connection, terms[0].Position, 0));
    }

    private static FilterTerm SimplifyBase(FilterTerm term)
    {
        if (term is EqualsTerm equals
            && SingleSource(PlanExpressions.Dependencies(equals.Left.Expression).Concat(PlanExpressions.Dependencies(equals.Right.Expression))) is not null)
        {
            return Compose("=", [equals.Left, equals.Right]);
        }

        return term;
    }
}
