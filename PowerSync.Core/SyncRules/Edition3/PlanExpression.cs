using System.Globalization;
using System.Text;
using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>
/// A scalar expression of the compiled plan (SQLite semantics). References to rows and to the request
/// are <see cref="DataRef"/> nodes; <see cref="PlanExpressions.ToSql"/> renders the expression with
/// <c>?</c> in their place, which (with the referenced names) is its identity for de-duplication and the
/// stable order of bucket parameters.
/// </summary>
internal abstract record PlanExpr;

internal sealed record LitExpr(SqliteValue Value, string Sql) : PlanExpr;

internal sealed record DataRef(DataSource Source) : PlanExpr;

internal sealed record UnaryPlan(string Op, PlanExpr Operand) : PlanExpr;

internal sealed record BinaryPlan(string Op, PlanExpr Left, PlanExpr Right) : PlanExpr;

internal sealed record BetweenPlan(PlanExpr Value, PlanExpr Low, PlanExpr High) : PlanExpr;

internal sealed record ScalarInPlan(PlanExpr Target, IReadOnlyList<PlanExpr> Items) : PlanExpr;

internal sealed record CasePlan(PlanExpr? Operand, IReadOnlyList<(PlanExpr When, PlanExpr Then)> Whens, PlanExpr? Else) : PlanExpr;

internal sealed record CastPlan(PlanExpr Operand, string Type) : PlanExpr;

internal sealed record FunctionPlan(string Name, IReadOnlyList<PlanExpr> Args) : PlanExpr;

/// <summary>What a <see cref="DataRef"/> reads: a column of a result set, or request data.</summary>
internal abstract record DataSource(int Position, int Length);

/// <summary>A column of a table (or of a table-valued function's output row).</summary>
internal sealed record ColumnInRow(ResultSet ResultSet, string Column, int Position, int Length) : DataSource(Position, Length);

/// <summary><c>auth</c>, <c>subscription</c> or <c>connection</c> parameters (JSON text).</summary>
internal sealed record ConnectionData(string Kind, int Position, int Length) : DataSource(Position, Length);

/// <summary>Rendering, inspection and evaluation of plan expressions.</summary>
internal static class PlanExpressions
{
    private static readonly Dictionary<string, int> BinaryPrecedence = new(StringComparer.Ordinal)
    {
        ["or"] = 1, ["and"] = 2, ["="] = 4, ["is"] = 4, ["<"] = 5, [">"] = 5, ["<="] = 5, [">="] = 5,
        ["&"] = 6, ["|"] = 6, ["<<"] = 6, [">>"] = 6, ["+"] = 7, ["-"] = 7, ["*"] = 8, ["/"] = 8, ["%"] = 8, ["||"] = 9,
    };

    public static readonly PlanExpr Null = new LitExpr(SqliteValue.Null, "NULL");

    public static PlanExpr Int(string digits) =>
        new LitExpr(long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? SqliteValue.FromInteger(v)
            : SqliteValue.FromInteger(System.Numerics.BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)), digits);

    public static PlanExpr String(string value) => new LitExpr(SqliteValue.FromText(value), "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'");

    public static PlanExpr Double(double value)
    {
        var text = Json.JsNumberFormat.Format(value);
        return new LitExpr(SqliteValue.FromReal(value), double.IsInteger(value) ? text + ".0" : text);
    }

    /// <summary>The data an expression reads, in order (repeats included).</summary>
    public static List<DataSource> Dependencies(PlanExpr expr)
    {
        var list = new List<DataSource>();
        Visit(expr, e =>
        {
            if (e is DataRef d)
            {
                list.Add(d.Source);
            }
        });
        return list;
    }

    public static void Visit(PlanExpr expr, Action<PlanExpr> action)
    {
        action(expr);
        switch (expr)
        {
            case UnaryPlan u: Visit(u.Operand, action); break;
            case BinaryPlan b: Visit(b.Left, action); Visit(b.Right, action); break;
            case BetweenPlan b: Visit(b.Value, action); Visit(b.Low, action); Visit(b.High, action); break;
            case ScalarInPlan s: Visit(s.Target, action); foreach (var i in s.Items) Visit(i, action); break;
            case CastPlan c: Visit(c.Operand, action); break;
            case FunctionPlan f: foreach (var a in f.Args) Visit(a, action); break;
            case CasePlan c:
                if (c.Operand is not null) Visit(c.Operand, action);
                foreach (var (w, t) in c.Whens) { Visit(w, action); Visit(t, action); }
                if (c.Else is not null) Visit(c.Else, action);
                break;
        }
    }

    /// <summary>Rewrites the data references of an expression.</summary>
    public static PlanExpr Map(PlanExpr expr, Func<DataSource, PlanExpr> map) => expr switch
    {
        DataRef d => map(d.Source),
        UnaryPlan u => u with { Operand = Map(u.Operand, map) },
        BinaryPlan b => b with { Left = Map(b.Left, map), Right = Map(b.Right, map) },
        BetweenPlan b => new BetweenPlan(Map(b.Value, map), Map(b.Low, map), Map(b.High, map)),
        ScalarInPlan s => new ScalarInPlan(Map(s.Target, map), s.Items.Select(i => Map(i, map)).ToList()),
        CastPlan c => c with { Operand = Map(c.Operand, map) },
        FunctionPlan f => f with { Args = f.Args.Select(a => Map(a, map)).ToList() },
        CasePlan c => new CasePlan(c.Operand is null ? null : Map(c.Operand, map), c.Whens.Select(w => (Map(w.When, map), Map(w.Then, map))).ToList(), c.Else is null ? null : Map(c.Else, map)),
        _ => expr,
    };

    /// <summary>SQLite text of the expression with <c>?</c> for data (the official renderer's spacing and parentheses).</summary>
    public static string ToSql(PlanExpr expr)
    {
        var w = new SqlWriter();
        w.Add(expr, 0);
        return w.ToString();
    }

    /// <summary>Identity of an expression ignoring which result set its columns belong to: its SQL and the names it reads.</summary>
    public static string Key(PlanExpr expr)
    {
        var sb = new StringBuilder(ToSql(expr));
        foreach (var d in Dependencies(expr))
        {
            sb.Append('\u0001').Append(d is ColumnInRow c ? c.Column : ((ConnectionData)d).Kind);
        }

        return sb.ToString();
    }

    /// <summary>Adds the expression to a stable hash as the official compiler does (its SQL, then each name it reads).</summary>
    public static void Hash(StableHasher hasher, PlanExpr expr)
    {
        hasher.AddString(ToSql(expr));
        foreach (var d in Dependencies(expr))
        {
            hasher.AddString(d is ColumnInRow c ? c.Column : ((ConnectionData)d).Kind);
        }
    }

    private sealed class SqlWriter
    {
        private readonly StringBuilder _sb = new();
        private bool _needsSpace;

        public override string ToString() => _sb.ToString();

        private void Lexeme(string text, bool spaceLeft = true, bool spaceRight = true)
        {
            if (_needsSpace && spaceLeft)
            {
                _sb.Append(' ');
            }

            _sb.Append(text);
            _needsSpace = spaceRight;
        }

        private void Parenthesized(int outer, int inner, Action body)
        {
            if (outer >= inner)
            {
                Lexeme("(", spaceRight: false);
                body();
                Lexeme(")", spaceLeft: false);
            }
            else
            {
                body();
            }
        }

        private void List(IEnumerable<PlanExpr> items)
        {
            var first = true;
            foreach (var item in items)
            {
                if (!first)
                {
                    Lexeme(",", spaceLeft: false);
                }

                Add(item, 0);
                first = false;
            }
        }

        public void Add(PlanExpr expr, int outer)
        {
            switch (expr)
            {
                case LitExpr l: Lexeme(l.Sql); break;
                case DataRef: Lexeme("?"); break;
                case UnaryPlan u:
                    var up = u.Op == "not" ? 3 : 11;
                    Parenthesized(outer, up, () => { Lexeme(u.Op); Add(u.Operand, up); });
                    break;
                case BinaryPlan b:
                    var bp = BinaryPrecedence[b.Op];
                    Parenthesized(outer, bp, () => { Add(b.Left, bp); Lexeme(b.Op); Add(b.Right, bp); });
                    break;
                case BetweenPlan b:
                    Parenthesized(outer, 4, () => { Add(b.Value, 4); Lexeme("BETWEEN"); Add(b.Low, 4); Lexeme("AND"); Add(b.High, 4); });
                    break;
                case ScalarInPlan s when s.Items.Count == 0: Lexeme("FALSE"); break;
                case ScalarInPlan s:
                    Parenthesized(outer, 4, () =>
                    {
                        Add(s.Target, 4);
                        Lexeme("IN");
                        Lexeme("(", spaceRight: false);
                        List(s.Items);
                        Lexeme(")", spaceLeft: false);
                    });
                    break;
                case CasePlan c:
                    Lexeme("CASE");
                    if (c.Operand is not null) Add(c.Operand, 0);
                    foreach (var (when, then) in c.Whens)
                    {
                        Lexeme("WHEN");
                        Add(when, 0);
                        Lexeme("THEN");
                        Add(then, 0);
                    }

                    if (c.Else is not null)
                    {
                        Lexeme("ELSE");
                        Add(c.Else, 0);
                    }

                    Lexeme("END");
                    break;
                case CastPlan c:
                    Lexeme("CAST(", spaceRight: false);
                    Add(c.Operand, 0);
                    Lexeme("AS");
                    Lexeme(c.Type);
                    Lexeme(")", spaceLeft: false);
                    break;
                case FunctionPlan f:
                    Lexeme("\"" + f.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"");
                    Lexeme("(", spaceLeft: false, spaceRight: false);
                    List(f.Args);
                    Lexeme(")", spaceLeft: false);
                    break;
            }
        }
    }
}

/// <summary>The official compiler's stable hash (Jenkins, as in the Dart SDK): only used to order bucket parameters.</summary>
internal sealed class StableHasher
{
    private const int Seed = 614160925;
    private int _hash = Seed;

    public void AddHash(int value)
    {
        var hash = 0x1fffffff & (_hash + value);
        hash = 0x1fffffff & (hash + ((0x0007ffff & hash) << 10));
        _hash = hash ^ (hash >> 6);
    }

    public void AddString(string value)
    {
        foreach (var c in value)
        {
            AddHash(c);
        }
    }

    public int Build()
    {
        var hash = _hash;
        hash = 0x1fffffff & (hash + ((0x03ffffff & hash) << 3));
        hash ^= hash >> 11;
        return 0x1fffffff & (hash + ((0x00003fff & hash) << 15));
    }
}
