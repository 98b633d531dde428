using System.Globalization;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>Lowering of Postgres expressions to plan expressions, and the filter's normal form.</summary>
internal sealed partial class QueryAnalyzer
{
    /// <summary>Scalar functions edition 3 allows, with their argument counts (min, max; -1 unbounded).</summary>
    private static readonly Dictionary<string, (int Min, int Max)> SupportedFunctions = new(StringComparer.Ordinal)
    {
        ["hex"] = (1, 1), ["ifnull"] = (2, -1), ["iif"] = (3, 3), ["instr"] = (2, 2), ["length"] = (1, 1), ["lower"] = (1, 1),
        ["substring"] = (2, 3), ["typeof"] = (1, 1), ["upper"] = (1, 1), ["json_array_length"] = (1, 2), ["json_extract"] = (2, -1),
        ["unixepoch"] = (1, -1), ["datetime"] = (1, -1), ["base64"] = (1, 1), ["json_keys"] = (1, 1), ["uuid_blob"] = (1, 1),
        ["st_asgeojson"] = (1, 1), ["st_astext"] = (1, 1), ["st_x"] = (1, 1), ["st_y"] = (1, 1),
    };

    private static readonly HashSet<string> CastTypes = new(StringComparer.Ordinal) { "text", "numeric", "integer", "real", "blob" };

    private static readonly Dictionary<string, string> BinaryOperators = new(StringComparer.Ordinal)
    {
        ["OR"] = "or", ["AND"] = "and", ["="] = "=", ["<"] = "<", [">"] = ">", ["<="] = "<=", [">="] = ">=", ["&"] = "&", ["|"] = "|",
        ["<<"] = "<<", [">>"] = ">>", ["+"] = "+", ["-"] = "-", ["*"] = "*", ["/"] = "/", ["%"] = "%", ["||"] = "||",
    };

    private readonly Dictionary<PlanExpr, int> _positions = new(ReferenceEqualityComparer.Instance);

    private PlanExpr Invalid(int position, string message)
    {
        _report(message, position);
        return PlanExpressions.Null;
    }

    private PlanExpr At(PlanExpr expr, int position)
    {
        _positions.TryAdd(expr, position);
        return expr;
    }

    private int PositionOf(PlanExpr expr) => _positions.TryGetValue(expr, out var p) ? p : 0;

    private static UnaryPlan Not(PlanExpr inner) => new UnaryPlan("not", inner);

    internal PlanExpr Lower(Node node) => At(LowerNode(node), node.Position);

    private PlanExpr LowerNode(Node node)
    {
        switch (node)
        {
            case Literal { Kind: LiteralKind.Null }:
                return PlanExpressions.Null;
            case Literal { Kind: LiteralKind.Boolean } b:
                return PlanExpressions.Int(b.Text == "true" ? "1" : "0");
            case Literal { Kind: LiteralKind.String } s:
                return PlanExpressions.String(s.Text);
            case Literal { Kind: LiteralKind.Integer } i:
                return PlanExpressions.Int(i.Text);
            case Literal n:
                return PlanExpressions.Double(double.Parse(n.Text, CultureInfo.InvariantCulture));
            case Reference r:
                return LowerReference(r);
            case Parameter p:
                return Invalid(p.Position, "SQL parameters are not allowed. Use parameter functions instead: https://docs.powersync.com/usage/sync-streams#accessing-parameters");
            case Call call:
                return LowerCall(call);
            case SubstringFrom sub:
                // The official compiler's reading; its JavaScript engine has no substr, so such rules never load there.
                var substrArgs = new List<PlanExpr> { Lower(sub.Value), sub.From is null ? PlanExpressions.Int("1") : Lower(sub.From) };
                if (sub.For is not null) substrArgs.Add(Lower(sub.For));
                return new FunctionPlan("substr", substrArgs);
            case Binary { Op: "IN" or "NOT IN" } b:
                return LowerIn(b, overlap: false, negated: b.Op == "NOT IN");
            case Binary { Op: "&&" } b:
                return LowerIn(b, overlap: true, negated: false);
            case Binary { Op: "LIKE" or "NOT LIKE" } b:
                _report("LIKE expressions are not currently supported.", b.Position);
                var like = new FunctionPlan("like", [Lower(b.Left), Lower(b.Right)]);
                return b.Op == "LIKE" ? like : Not(like);
            case Binary { Op: "!=" } b:
                return Not(At(new BinaryPlan("=", Lower(b.Left), Lower(b.Right)), b.Position));
            case Binary b:
                var left = Lower(b.Left);
                var right = Lower(b.Right);
                return BinaryOperators.TryGetValue(b.Op, out var op) ? new BinaryPlan(op, left, right) : Invalid(b.Position, "Unsupported binary operator");
            case Unary u:
                return LowerUnary(u);
            case Cast c:
                var type = c.TypeName.ToLowerInvariant();
                return CastTypes.Contains(type) ? new CastPlan(Lower(c.Operand), type) : Invalid(c.TypePosition, "Invalid SQLite cast");
            case Between b:
                var between = At(new BetweenPlan(Lower(b.Value), Lower(b.Low), Lower(b.High)), b.Position);
                return b.Negated ? Not(between) : between;
            case Case c:
                return new CasePlan(c.Operand is null ? null : Lower(c.Operand), c.Whens.Select(w => (Lower(w.When), Lower(w.Then))).ToList(), c.Else is null ? null : Lower(c.Else));
            case Member m:
                return new FunctionPlan(m.Op, [Lower(m.Operand), m.Key.Kind == LiteralKind.Integer ? PlanExpressions.Int(m.Key.Text) : PlanExpressions.String(m.Key.Text)]);
            case SubSelect s:
                return Invalid(s.Position, "Invalid position for subqueries. Subqueries are only supported in WHERE clauses.");
            default:
                return Invalid(node.Position, "This expression is not supported by PowerSync");
        }
    }

    private PlanExpr LowerUnary(Unary u)
    {
        switch (u.Op)
        {
            case "-":
                return Invalid(u.Position, "Unary minus is not currently supported");
            case "+":
                return new UnaryPlan("+", Lower(u.Operand));
            case "NOT":
                return Not(LowerNode(u.Operand));
        }

        var negated = u.Op.StartsWith("IS NOT", StringComparison.Ordinal);
        var rhs = u.Op.EndsWith("NULL", StringComparison.Ordinal) ? PlanExpressions.Null : PlanExpressions.Int(u.Op.EndsWith("TRUE", StringComparison.Ordinal) ? "1" : "0");
        var test = new BinaryPlan("is", Lower(u.Operand), rhs);
        return negated ? Not(At(test, u.Position)) : test;
    }

    private PlanExpr LowerReference(Reference r)
    {
        switch (ResolveTable(r, r.Table))
        {
            case null:
                return PlanExpressions.Null;
            case ResultSet set when r.IsStar:
                _ = set;
                return Invalid(r.Position, "* columns are not supported here");
            case ResultSet set:
                return new DataRef(new ColumnInRow(set, r.Name, r.Position, r.Length));
            case ParsedSubquery subquery:
                return subquery.Columns.TryGetValue(r.Name, out var expr) ? expr : Invalid(r.Position, "Column not found in subquery.");
            default:
                return PlanExpressions.Null;
        }
    }

    private PlanExpr LowerCall(Call call)
    {
        if (call.Schema is { } schema)
        {
            var kind = schema.ToLowerInvariant();
            return kind is "auth" or "subscription" or "connection"
                ? LowerRequest(kind, call)
                : Invalid(call.NamePosition, "Invalid schema in function name");
        }

        var name = call.Name.ToLowerInvariant();
        if (name is "random" or "randomblob")
        {
            return Invalid(call.NamePosition, "Forbidden call: Sync definitions must be deterministic.");
        }

        if (!SupportedFunctions.TryGetValue(name, out var arity))
        {
            return Invalid(call.NamePosition, "Unknown function");
        }

        if (call.Args.Count < arity.Min)
        {
            _report($"Expected at least {arity.Min} arguments", call.Position);
        }
        else if (arity.Max >= 0 && call.Args.Count > arity.Max)
        {
            _report($"Expected at most {arity.Max} arguments", call.Position);
        }

        return new FunctionPlan(name, call.Args.Select(Lower).ToList());
    }

    private PlanExpr LowerRequest(string kind, Call call)
    {
        var data = At(new DataRef(new ConnectionData(kind, call.Position, call.Length)), call.NamePosition);
        switch (call.Name.ToLowerInvariant())
        {
            case "parameters":
                return data;
            case "parameter" when call.Args.Count == 1:
                return new FunctionPlan("->>", [data, Lower(call.Args[0])]);
            case "parameter":
                return Invalid(call.NamePosition, "Expected a single argument here");
            case "user_id" when kind == "auth":
                return new FunctionPlan("->>", [data, PlanExpressions.String("$.sub")]);
            case "user_id":
                return Invalid(call.NamePosition, ".user_id() is only available on auth schema");
            default:
                return Invalid(call.NamePosition, "Unknown request function");
        }
    }

    /// <summary>
    /// <c>x IN (SELECT ...)</c> joins the subquery (<c>x = output</c> plus its filter); <c>x IN array</c> joins
    /// <c>json_each(array)</c>; <c>NOT IN array</c> tests containment; <c>a &amp;&amp; b</c> joins both sides' elements.
    /// </summary>
    private PlanExpr LowerIn(Binary b, bool overlap, bool negated)
    {
        var extra = new List<PlanExpr>();
        PlanExpr left;
        if (overlap)
        {
            left = Expand(b.Left, acceptScalar: false, extra).Expr;
        }
        else
        {
            left = Lower(b.Left);
            if (b.Right is ValueList list)
            {
                var scalarIn = At(new ScalarInPlan(left, list.Items.Select(Lower).ToList()), b.Position);
                return negated ? Not(scalarIn) : scalarIn;
            }
        }

        var (right, isScalar) = Expand(b.Right, acceptScalar: !overlap && negated, extra);
        if (isScalar)
        {
            return Not(new FunctionPlan("ps_json_contains", [left, right]));
        }

        PlanExpr replacement = At(new BinaryPlan("=", left, right), b.Position);
        foreach (var filter in extra)
        {
            replacement = new BinaryPlan("and", replacement, filter);
        }

        return negated ? Not(At(replacement, b.Position)) : replacement;
    }

    private (PlanExpr Expr, bool IsScalar) Expand(Node node, bool acceptScalar, List<PlanExpr> extra)
    {
        if (node is SubSelect sub)
        {
            var inner = new QueryAnalyzer(_sql, _defaultSchema, _scope, _report, _synthetic);
            inner.InheritFrom(this);
            inner._positions.EnsureCapacity(0);
            inner.Process(sub.Select, forSubquery: true);
            var columns = sub.Select.Columns;
            if (columns.Count != 1 || columns[0].Expr is Reference { IsStar: true })
            {
                _report("Must return a single expression column", sub.Position);
                return (At(PlanExpressions.Null, sub.Position), false);
            }

            foreach (var table in inner._resultSets)
            {
                if (!_resultSets.Exists(t => ReferenceEquals(t.Source, table.Source)))
                {
                    _resultSets.Add(table);
                }
            }

            extra.AddRange(inner._where);
            return (inner.Lower(columns[0].Expr), false);
        }

        if (node is Reference { Table: null } reference && _scope.ResolveCte(reference.Name) is { } cte)
        {
            if (cte.Columns.Count != 1)
            {
                return (At(Invalid(node.Position, "Common-table expression must return a single column"), node.Position), false);
            }

            var select = new Select([new ResultColumn(new Reference(reference.Name, cte.Columns.Keys.First(), node.Position, node.Length), null)],
                [new TableSource(null, reference.Name, null, null, node.Position, node.Length, node.Position, node.Length)], null, [], node.Position, node.Length);
            return Expand(new SubSelect(select, node.Position, node.Length), false, extra);
        }

        if (acceptScalar)
        {
            return (Lower(node), true);
        }

        var alias = "synthetic:" + _synthetic.Next++;
        var each = new Select(
            [new ResultColumn(new Reference(alias, "value", node.Position, node.Length), null)],
            [new FunctionSource(new Call(null, "json_each", node.Position, node.Length, [node], node.Position, node.Length), alias, null, node.Position, node.Length)],
            null, [], node.Position, node.Length);
        return Expand(new SubSelect(each, node.Position, node.Length), false, extra);
    }
}
