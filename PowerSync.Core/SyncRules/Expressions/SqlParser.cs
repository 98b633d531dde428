using System.Globalization;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// Recursive-descent parser for the sync-rules SQL subset. It accepts a little more than the
/// evaluator supports (JOIN, ORDER BY, CASE...) so it can name the unsupported feature precisely;
/// the compilers reject those with a positioned error.
/// Precedence follows Postgres: OR &lt; AND &lt; NOT &lt; IS &lt; comparison &lt; IN/LIKE &lt;
/// other operators (||, ->, ->>, &amp;&amp;) &lt; + - &lt; * / % &lt; unary &lt; ::.
/// </summary>
internal sealed class SqlParser
{
    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "as", "and", "or", "not", "in", "is", "null", "group", "order", "by", "limit",
        "offset", "having", "join", "inner", "left", "right", "full", "outer", "cross", "on", "union", "distinct",
        "case", "when", "then", "else", "end", "between", "like", "cast", "true", "false", "with", "using",
    };

    private readonly string _sql;
    private readonly List<SqlToken> _tokens;
    private int _index;

    private SqlParser(string sql)
    {
        _sql = sql;
        _tokens = SqlLexer.Tokenize(sql);
    }

    private SqlToken Current => _tokens[_index];

    private SqlToken Peek(int ahead = 1) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    /// <summary>Parses one SELECT statement.</summary>
    public static SelectStatement ParseSelect(string sql)
    {
        var parser = new SqlParser(sql);
        var statement = parser.ParseSelectStatement();
        if (parser.Current.Is(";"))
        {
            parser._index++;
        }

        if (parser.Current.Kind != SqlTokenKind.End)
        {
            throw parser.Unexpected("end of query");
        }

        return statement;
    }

    /// <summary>Parses one standalone expression (used by tests and by the expression benchmark).</summary>
    public static SqlExpr ParseExpression(string sql)
    {
        var parser = new SqlParser(sql);
        var expr = parser.ParseExpr();
        if (parser.Current.Kind != SqlTokenKind.End)
        {
            throw parser.Unexpected("end of expression");
        }

        return expr;
    }

    private SqlSyntaxException Unexpected(string expected)
    {
        var t = Current;
        var found = t.Kind == SqlTokenKind.End ? "end of query" : $"'{_sql.Substring(t.Position, t.Length)}'";
        return new SqlSyntaxException($"Syntax error: expected {expected}, found {found}", t.Position, Math.Max(t.Length, 1));
    }

    private SqlToken Expect(string symbol)
    {
        if (!Current.Is(symbol) && !Current.IsKeyword(symbol))
        {
            throw Unexpected($"'{symbol}'");
        }

        return _tokens[_index++];
    }

    private bool AcceptKeyword(string keyword)
    {
        if (Current.IsKeyword(keyword))
        {
            _index++;
            return true;
        }

        return false;
    }

    private SelectStatement ParseSelectStatement()
    {
        var start = Current.Position;
        if (!AcceptKeyword("select"))
        {
            throw Unexpected("SELECT");
        }

        var unsupported = new List<UnsupportedClause>();
        if (Current.IsKeyword("distinct"))
        {
            unsupported.Add(new("DISTINCT is not supported", Current.Position, Current.Length));
            _index++;
        }

        var columns = new List<SelectColumn>();
        if (!Current.IsKeyword("from") && !Current.IsKeyword("where") && Current.Kind != SqlTokenKind.End && !Current.Is(";"))
        {
            do
            {
                columns.Add(ParseColumn());
            }
            while (AcceptSymbol(","));
        }

        FromItem? from = null;
        var extra = new List<FromItem>();
        if (AcceptKeyword("from"))
        {
            from = ParseFromItem();
            while (true)
            {
                if (AcceptSymbol(","))
                {
                    extra.Add(ParseFromItem());
                }
                else if (Current.IsKeyword("join") || Current.IsKeyword("inner") || Current.IsKeyword("left") || Current.IsKeyword("right")
                    || Current.IsKeyword("full") || Current.IsKeyword("cross"))
                {
                    var t = Current;
                    unsupported.Add(new("JOIN is not supported in edition 1/2 sync rules: use one table per query (or a parameter query for the lookup)", t.Position, t.Length));
                    while (!Current.IsKeyword("join"))
                    {
                        _index++;
                    }

                    _index++;
                    extra.Add(ParseFromItem());
                    if (AcceptKeyword("on"))
                    {
                        ParseExpr();
                    }
                }
                else
                {
                    break;
                }
            }
        }

        SqlExpr? where = null;
        if (AcceptKeyword("where"))
        {
            where = ParseExpr();
        }

        ParseTrailingClauses(unsupported);
        return new SelectStatement(columns, from, extra, where, unsupported, start, Current.Position - start);
    }

    private void ParseTrailingClauses(List<UnsupportedClause> unsupported)
    {
        while (true)
        {
            var t = Current;
            if (t.IsKeyword("group") || t.IsKeyword("order"))
            {
                _index++;
                if (!AcceptKeyword("by"))
                {
                    throw Unexpected("BY");
                }

                unsupported.Add(new($"{t.Text.ToUpperInvariant()} BY is not supported", t.Position, t.Length));
                do
                {
                    ParseExpr();
                    _ = AcceptKeyword("asc") || AcceptKeyword("desc");
                }
                while (AcceptSymbol(","));
            }
            else if (t.IsKeyword("limit") || t.IsKeyword("offset") || t.IsKeyword("having"))
            {
                _index++;
                unsupported.Add(new($"{t.Text.ToUpperInvariant()} is not supported", t.Position, t.Length));
                ParseExpr();
            }
            else
            {
                return;
            }
        }
    }

    private bool AcceptSymbol(string symbol)
    {
        if (Current.Is(symbol))
        {
            _index++;
            return true;
        }

        return false;
    }

    private SelectColumn ParseColumn()
    {
        SqlExpr expr;
        if (Current.Is("*"))
        {
            var t = _tokens[_index++];
            expr = new ColumnRefExpr(null, null, "*", t.Position, 1);
        }
        else
        {
            expr = ParseExpr();
        }

        var (alias, aliasPos) = ParseOptionalAlias();
        return new SelectColumn(expr, alias, aliasPos);
    }

    private (string? Alias, int Position) ParseOptionalAlias()
    {
        if (AcceptKeyword("as"))
        {
            var t = Current;
            return (ParseName("an alias name after AS"), t.Position);
        }

        if (Current.Kind == SqlTokenKind.QuotedIdentifier || (Current.Kind == SqlTokenKind.Identifier && !ReservedWords.Contains(Current.Text)))
        {
            var t = Current;
            return (ParseName("an alias"), t.Position);
        }

        return (null, -1);
    }

    private string ParseName(string what)
    {
        var t = Current;
        if (t.Kind == SqlTokenKind.QuotedIdentifier)
        {
            _index++;
            return t.Text;
        }

        if (t.Kind == SqlTokenKind.Identifier)
        {
            _index++;
            return t.Text.ToLowerInvariant();
        }

        throw Unexpected(what);
    }

    private FromItem ParseFromItem()
    {
        var start = Current.Position;
        if (Current.Is("("))
        {
            throw new SqlSyntaxException("Subqueries in FROM are not supported in edition 1/2 sync rules", Current.Position, 1);
        }

        var first = ParseName("a table name");
        string? schema = null;
        var name = first;
        if (AcceptSymbol("."))
        {
            schema = first;
            name = ParseName("a table name after the schema");
        }

        CallExpr? function = null;
        if (Current.Is("("))
        {
            var args = ParseArguments();
            function = new CallExpr(schema, name, args, start, Current.Position - start);
        }

        var (alias, _) = ParseOptionalAlias();
        return new FromItem(schema, name, alias, function, start, _tokens[_index - 1].Position + _tokens[_index - 1].Length - start);
    }

    private List<SqlExpr> ParseArguments()
    {
        Expect("(");
        var args = new List<SqlExpr>();
        if (!Current.Is(")"))
        {
            do
            {
                args.Add(ParseExpr());
            }
            while (AcceptSymbol(","));
        }

        Expect(")");
        return args;
    }

    private int EndOfPrevious => _tokens[_index - 1].Position + _tokens[_index - 1].Length;

    internal SqlExpr ParseExpr() => ParseOr();

    private SqlExpr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsKeyword("or"))
        {
            _index++;
            var right = ParseAnd();
            left = new BinaryExpr("OR", left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private SqlExpr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsKeyword("and"))
        {
            _index++;
            var right = ParseNot();
            left = new BinaryExpr("AND", left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private SqlExpr ParseNot()
    {
        if (Current.IsKeyword("not"))
        {
            var start = Current.Position;
            _index++;
            var operand = ParseNot();
            return new UnaryExpr("NOT", operand, start, EndOfPrevious - start);
        }

        return ParseIs();
    }

    private SqlExpr ParseIs()
    {
        var left = ParseComparison();
        while (Current.IsKeyword("is"))
        {
            _index++;
            var negated = AcceptKeyword("not");
            if (AcceptKeyword("null"))
            {
                left = new UnaryExpr(negated ? "IS NOT NULL" : "IS NULL", left, left.Position, EndOfPrevious - left.Position);
            }
            else
            {
                throw Unexpected(negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
            }
        }

        return left;
    }

    private SqlExpr ParseComparison()
    {
        var left = ParseIn();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "=" or "!=" or "<>" or "<" or ">" or "<=" or ">=")
        {
            var op = _tokens[_index++].Text;
            var right = ParseIn();
            left = new BinaryExpr(op == "<>" ? "!=" : op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private SqlExpr ParseIn()
    {
        var left = ParseOther();
        while (true)
        {
            var notStart = Current.Position;
            var negated = Current.IsKeyword("not") && (Peek().IsKeyword("in") || Peek().IsKeyword("like") || Peek().IsKeyword("between"));
            if (negated)
            {
                _index++;
            }

            if (AcceptKeyword("in"))
            {
                SqlExpr right;
                if (Current.Is("(") && Peek().IsKeyword("select"))
                {
                    var start = Current.Position;
                    _index++;
                    var select = ParseSelectStatement();
                    Expect(")");
                    right = new SubqueryExpr(select, start, EndOfPrevious - start);
                }
                else if (Current.Is("("))
                {
                    var start = Current.Position;
                    var items = ParseArguments();
                    right = items.Count == 1 ? items[0] : new UnsupportedExpr("IN with a list of values (use a JSON array text instead, e.g. IN '[1,2]')", start, EndOfPrevious - start);
                }
                else
                {
                    right = ParseOther();
                }

                left = new BinaryExpr(negated ? "NOT IN" : "IN", left, right, left.Position, EndOfPrevious - left.Position);
            }
            else if (Current.IsKeyword("like") || Current.IsKeyword("between"))
            {
                var t = _tokens[_index++];
                ParseOther();
                if (t.IsKeyword("between"))
                {
                    if (!AcceptKeyword("and"))
                    {
                        throw Unexpected("AND");
                    }

                    ParseOther();
                }

                left = new UnsupportedExpr($"{t.Text.ToUpperInvariant()} operator", negated ? notStart : t.Position, EndOfPrevious - (negated ? notStart : t.Position));
            }
            else
            {
                if (negated)
                {
                    _index--;
                }

                return left;
            }
        }
    }

    private SqlExpr ParseOther()
    {
        var left = ParseAdditive();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "||" or "->" or "->>" or "&&" or "&" or "|" or "<<" or ">>")
        {
            var op = _tokens[_index++].Text;
            var right = ParseAdditive();
            left = op is "->" or "->>"
                ? new MemberExpr(op, left, right, left.Position, EndOfPrevious - left.Position)
                : new BinaryExpr(op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private SqlExpr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "+" or "-")
        {
            var op = _tokens[_index++].Text;
            var right = ParseMultiplicative();
            left = new BinaryExpr(op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private SqlExpr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "*" or "/" or "%")
        {
            var op = _tokens[_index++].Text;
            var right = ParseUnary();
            left = new BinaryExpr(op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private SqlExpr ParseUnary()
    {
        if (Current.Kind == SqlTokenKind.Operator && Current.Text is "-" or "+")
        {
            var t = _tokens[_index++];
            var operand = ParseUnary();
            if (operand is LiteralExpr { Value.Type: SqliteType.Integer or SqliteType.Real } lit)
            {
                var v = t.Text == "+" ? lit.Value : lit.Value.Type == SqliteType.Integer
                    ? SqliteValue.FromInteger(-lit.Value.AsInteger)
                    : SqliteValue.FromReal(-lit.Value.AsReal);
                return new LiteralExpr(v, t.Position, EndOfPrevious - t.Position);
            }

            return new UnaryExpr(t.Text, operand, t.Position, EndOfPrevious - t.Position);
        }

        return ParseCastSuffix();
    }

    private SqlExpr ParseCastSuffix()
    {
        var expr = ParsePrimary();
        while (Current.Is("::"))
        {
            _index++;
            var type = ParseName("a type name after ::");
            expr = new CastExpr(expr, type, expr.Position, EndOfPrevious - expr.Position);
        }

        return expr;
    }

    private SqlExpr ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case SqlTokenKind.String:
                _index++;
                return new LiteralExpr(SqliteValue.FromText(t.Text), t.Position, t.Length);
            case SqlTokenKind.Integer:
                _index++;
                return new LiteralExpr(
                    long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var l)
                        ? SqliteValue.FromInteger(l)
                        : SqliteValue.FromReal(double.Parse(t.Text, CultureInfo.InvariantCulture)),
                    t.Position,
                    t.Length);
            case SqlTokenKind.Decimal:
                _index++;
                return new LiteralExpr(SqliteValue.FromReal(double.Parse(t.Text, CultureInfo.InvariantCulture)), t.Position, t.Length);
            case SqlTokenKind.Punctuation when t.Text == "(":
                {
                    _index++;
                    if (Current.IsKeyword("select"))
                    {
                        var select = ParseSelectStatement();
                        Expect(")");
                        return new SubqueryExpr(select, t.Position, EndOfPrevious - t.Position);
                    }

                    var inner = ParseExpr();
                    if (Current.Is(","))
                    {
                        throw new SqlSyntaxException("Row values / lists are not supported here", Current.Position, 1);
                    }

                    Expect(")");
                    return inner;
                }

            case SqlTokenKind.Identifier:
                if (t.IsKeyword("null"))
                {
                    _index++;
                    return new LiteralExpr(SqliteValue.Null, t.Position, t.Length);
                }

                if (t.IsKeyword("true") || t.IsKeyword("false"))
                {
                    _index++;
                    return new LiteralExpr(SqliteValue.FromBoolean(t.IsKeyword("true")), t.Position, t.Length);
                }

                if (t.IsKeyword("cast") && Peek().Is("("))
                {
                    _index += 2;
                    var operand = ParseExpr();
                    if (!AcceptKeyword("as"))
                    {
                        throw Unexpected("AS in CAST(... AS type)");
                    }

                    var type = ParseName("a type name");
                    Expect(")");
                    return new CastExpr(operand, type, t.Position, EndOfPrevious - t.Position);
                }

                if (t.IsKeyword("case"))
                {
                    _index++;
                    var depth = 0;
                    while (Current.Kind != SqlTokenKind.End && !(Current.IsKeyword("end") && depth == 0))
                    {
                        depth += Current.IsKeyword("case") ? 1 : 0;
                        depth -= Current.IsKeyword("end") ? 1 : 0;
                        _index++;
                    }

                    Expect("END");
                    return new UnsupportedExpr("CASE expression (use iif(condition, a, b) instead)", t.Position, EndOfPrevious - t.Position);
                }

                if (ReservedWords.Contains(t.Text))
                {
                    throw Unexpected("an expression");
                }

                return ParseNameOrCall();
            case SqlTokenKind.QuotedIdentifier:
                return ParseNameOrCall();
            case SqlTokenKind.Operator when t.Text == "*":
                throw new SqlSyntaxException("* is not supported here", t.Position, 1);
            default:
                throw Unexpected("an expression");
        }
    }

    private SqlExpr ParseNameOrCall()
    {
        var start = Current.Position;
        var parts = new List<string> { ParseName("a name") };
        while (Current.Is("."))
        {
            _index++;
            if (Current.Is("*"))
            {
                _index++;
                parts.Add("*");
                break;
            }

            parts.Add(ParseName("a name after '.'"));
        }

        if (Current.Is("(") && parts[^1] != "*")
        {
            if (parts.Count > 2)
            {
                throw new SqlSyntaxException($"Unknown function '{string.Join('.', parts)}'", start, EndOfPrevious - start);
            }

            var args = ParseArguments();
            return new CallExpr(parts.Count == 2 ? parts[0] : null, parts[^1], args, start, EndOfPrevious - start);
        }

        return parts.Count switch
        {
            1 => new ColumnRefExpr(null, null, parts[0], start, EndOfPrevious - start),
            2 => new ColumnRefExpr(null, parts[0], parts[1], start, EndOfPrevious - start),
            3 => new ColumnRefExpr(parts[0], parts[1], parts[2], start, EndOfPrevious - start),
            _ => throw new SqlSyntaxException("Too many name parts", start, EndOfPrevious - start),
        };
    }
}
