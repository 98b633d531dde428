using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>Evaluates one compiled expression over input slots (the columns and request values it reads).</summary>
internal delegate SqliteValue SlotEvaluator(SqliteValue[] slots);

/// <summary>
/// Compiles plan expressions into delegates with the official JavaScript engine's value semantics:
/// a column missing from the row is <see cref="SqliteValue.Undefined"/>, which a bare reference, unary <c>+</c>,
/// <c>CASE</c> results, <c>ifnull</c> and <c>iif</c> pass on (the output column is then left out of the data)
/// and everything else reads as NULL; operators as the legacy evaluator computes them (two-valued AND/OR, NOT of NULL is 1, NULL-safe IS),
/// <c>%</c>, <c>&amp;</c>, <c>|</c>, <c>&lt;&lt;</c> and <c>&gt;&gt;</c> fail at evaluation, integer literals exact.
/// </summary>
internal sealed class PlanEvaluator(Func<DataSource, int> slotOf)
{
    private static readonly SqlFunctions Functions = new(fixedJsonExtract: true);

    public SlotEvaluator Compile(PlanExpr expr)
    {
        switch (expr)
        {
            case LitExpr l:
                var value = l.Value;
                return _ => value;
            case DataRef d:
                var slot = slotOf(d.Source);
                return slots => slots[slot];
            case UnaryPlan { Op: "+" } u:
                return Compile(u.Operand);
            case UnaryPlan u:
                var operand = Compile(u.Operand);
                return slots => SqlValueSemantics.Bool(!SqlValueSemantics.IsTrue(operand(slots)));
            case BinaryPlan b:
                return Binary(b.Op, Compile(b.Left), Compile(b.Right));
            case BetweenPlan b:
                var (v, low, high) = (Compile(b.Value), Compile(b.Low), Compile(b.High));
                return slots =>
                {
                    var x = v(slots);
                    var geq = SqlValueSemantics.Comparison(">=", x, low(slots));
                    var leq = SqlValueSemantics.Comparison("<=", x, high(slots));
                    return geq.IsNull || leq.IsNull ? SqliteValue.Null : SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(geq) && SqlValueSemantics.IsTrue(leq));
                };
            case ScalarInPlan s:
                var target = Compile(s.Target);
                var items = s.Items.Select(Compile).ToArray();
                return slots =>
                {
                    var t = target(slots);
                    if (t.IsNull) return SqliteValue.Null;
                    var sawNull = false;
                    foreach (var item in items)
                    {
                        var i = item(slots);
                        if (i.IsNull) { sawNull = true; continue; }
                        if (SqlValueSemantics.Compare(t, i) == 0) return SqlValueSemantics.True;
                    }

                    return sawNull ? SqliteValue.Null : SqlValueSemantics.False;
                };
            case CasePlan c:
                return Case(c);
            case CastPlan c:
                var cast = Compile(c.Operand);
                var type = c.Type;
                return slots =>
                {
                    var x = cast(slots);
                    return x.IsNull ? SqliteValue.Null : SqlValueSemantics.Cast(x, type); // undefined too
                };
            case FunctionPlan f:
                return Function(f);
            default:
                throw new InvalidOperationException("Unknown plan expression " + expr.GetType().Name);
        }
    }

    private static SlotEvaluator Binary(string op, SlotEvaluator left, SlotEvaluator right) => op switch
    {
        "=" or "<" or ">" or "<=" or ">=" => slots => SqlValueSemantics.Comparison(op, left(slots), right(slots)),
        "is" => slots => SqlValueSemantics.Bool(CompareNullSafe(left(slots), right(slots)) == 0),
        "and" => slots => SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(left(slots)) && SqlValueSemantics.IsTrue(right(slots))),
        "or" => slots => SqlValueSemantics.Bool(SqlValueSemantics.IsTrue(left(slots)) || SqlValueSemantics.IsTrue(right(slots))),
        "+" or "-" or "*" or "/" => slots => SqlValueSemantics.Arithmetic(op[0], left(slots), right(slots)),
        "||" => slots => SqlValueSemantics.Concat(left(slots), right(slots)),
        _ => slots =>
        {
            _ = left(slots);
            _ = right(slots);
            throw new SqlEvaluationException($"Operator not supported: {op.ToUpperInvariant()}");
        },
    };

    private static int CompareNullSafe(SqliteValue a, SqliteValue b) =>
        a.IsNull || b.IsNull ? (a.IsNull && b.IsNull ? 0 : a.IsNull ? -1 : 1) : SqlValueSemantics.Compare(a, b);

    private SlotEvaluator Case(CasePlan c)
    {
        var whens = c.Whens.Select(w => (When: Compile(w.When), Then: Compile(w.Then))).ToArray();
        var otherwise = c.Else is null ? null : Compile(c.Else);
        if (c.Operand is { } operandExpr)
        {
            var operand = Compile(operandExpr);
            return slots =>
            {
                var value = operand(slots);
                foreach (var (when, then) in whens)
                {
                    if (SqlValueSemantics.IsTrue(SqlValueSemantics.Comparison("=", value, when(slots)))) return then(slots);
                }

                return otherwise is null ? SqliteValue.Null : otherwise(slots);
            };
        }

        return slots =>
        {
            foreach (var (when, then) in whens)
            {
                if (SqlValueSemantics.IsTrue(when(slots))) return then(slots);
            }

            return otherwise is null ? SqliteValue.Null : otherwise(slots);
        };
    }

    private SlotEvaluator Function(FunctionPlan f)
    {
        var args = f.Args.Select(Compile).ToArray();
        switch (f.Name)
        {
            case "->" or "->>":
                var op = f.Name;
                return slots => Functions.JsonExtract(args[0](slots), args[1](slots), op);
            case "ps_json_contains":
                return slots => SqlValueSemantics.In(args[0](slots), args[1](slots));
        }

        var function = Functions.Find(f.Name)
            ?? throw new SqlEvaluationException(f.Name == "substr"
                ? "Function not implemented: substr. SUBSTRING(x FROM start FOR length) compiles to substr, which the official evaluator's JavaScript engine lacks, so it cannot load these rules: write substring(x, start, length)"
                : $"Function not implemented: {f.Name}");
        return slots =>
        {
            var values = new SqliteValue[args.Length];
            for (var i = 0; i < args.Length; i++)
            {
                values[i] = args[i](slots);
            }

            return function.Call(values);
        };
    }
}
