using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>
/// Parses one edition-3 query (Postgres syntax, as the official compiler reads it): SELECT with
/// FROM lists, JOINs and subqueries, and the expression grammar in Postgres precedence
/// (OR &lt; AND &lt; NOT &lt; IS &lt; comparison &lt; BETWEEN/IN/LIKE &lt; other operators &lt; + - &lt; * / % &lt; unary &lt; ::).
/// </summary>
internal sealed class StreamParser : TokenCursor
{
    internal static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "as", "and", "or", "not", "in", "is", "null", "group", "order", "by", "limit", "offset",
        "having", "join", "inner", "left", "right", "full", "outer", "cross", "on", "union", "distinct", "case", "when",
        "then", "else", "end", "between", "like", "cast", "true", "false", "with", "using", "for", "all", "array",
    };

    private StreamParser(string sql) : base(sql)
    {
    }

    /// <summary>Parses the query; throws <see cref="SqlSyntaxException"/> or <see cref="NotASelectException"/>.</summary>
    public static Select Parse(string sql)
    {
        var parser = new StreamParser(sql);
        if (!parser.Current.IsKeyword("select"))
        {
            if (parser.Current.Kind == SqlTokenKind.Identifier && parser.Current.Text.ToLowerInvariant() is "update" or "insert" or "delete" or "with" or "values")
            {
                throw new NotASelectException(0, sql.Length);
            }

            throw parser.Unexpected("SELECT");
        }

        var select = parser.ParseSelect();
        parser.Accept(";");
        if (parser.Current.Kind != SqlTokenKind.End)
        {
            throw parser.Unexpected("end of input");
        }

        return select;
    }

    private Select ParseSelect()
    {
        var start = Expect("select").Position;
        var unsupported = new List<Clause>();
        // DISTINCT is accepted and has no effect (each row is synced once per bucket anyway), as officially.
        Accept("distinct");

        var columns = new List<ResultColumn>();
        if (!Current.IsKeyword("from") && !Current.IsKeyword("where") && Current.Kind != SqlTokenKind.End && !Current.Is(";") && !Current.Is(")"))
        {
            do
            {
                columns.Add(ParseColumn());
            }
            while (Accept(","));
        }

        var from = new List<FromSource>();
        if (Accept("from"))
        {
            from.Add(ParseFromSource(null));
            while (true)
            {
                if (Accept(","))
                {
                    from.Add(ParseFromSource(null));
                }
                else if (JoinKind() is { } kind)
                {
                    var joinStart = Current.Position;
                    while (!Current.IsKeyword("join"))
                    {
                        Index++;
                    }

                    Index++;
                    var source = ParseFromSource(null);
                    Node? on = null;
                    var (usingPos, usingLen) = (-1, 0);
                    var onPosition = Current.Position;
                    if (Accept("on"))
                    {
                        joinStart = onPosition;
                        on = ParseExpr();
                    }
                    else if (Current.IsKeyword("using"))
                    {
                        usingPos = Current.Position;
                        Index++;
                        Expect("(");
                        while (!Current.Is(")") && Current.Kind != SqlTokenKind.End)
                        {
                            Index++;
                        }

                        Expect(")");
                        usingLen = EndOfPrevious - usingPos;
                    }

                    from.Add(source with { Join = new Join(kind, on, usingPos, usingLen, joinStart, EndOfPrevious - joinStart) });
                }
                else
                {
                    break;
                }
            }
        }

        Node? where = null;
        if (Accept("where"))
        {
            where = ParseExpr();
        }

        ParseTrailing(unsupported);
        return new Select(columns, from, where, unsupported, start, EndOfPrevious - start);
    }

    private string? JoinKind()
    {
        var t = Current;
        if (t.IsKeyword("join"))
        {
            return "INNER JOIN";
        }

        if (t.IsKeyword("inner") && Peek().IsKeyword("join"))
        {
            return "INNER JOIN";
        }

        if (t.IsKeyword("left") || t.IsKeyword("right") || t.IsKeyword("full") || t.IsKeyword("cross"))
        {
            return t.Text.ToUpperInvariant() + " JOIN";
        }

        return null;
    }

    private void ParseTrailing(List<Clause> unsupported)
    {
        while (true)
        {
            var t = Current;
            if (t.IsKeyword("group") || t.IsKeyword("order"))
            {
                Index++;
                Expect("by");
                var start = Current.Position;
                do
                {
                    ParseExpr();
                    _ = Accept("asc") || Accept("desc");
                }
                while (Accept(","));
                unsupported.Add(new(t.IsKeyword("group") ? "GROUP BY" : "ORDER BY", start, EndOfPrevious - start));
            }
            else if (t.IsKeyword("limit") || t.IsKeyword("offset") || t.IsKeyword("having"))
            {
                Index++;
                var start = Current.Position;
                ParseExpr();
                unsupported.Add(new(t.IsKeyword("having") ? "GROUP BY" : "LIMIT", start, EndOfPrevious - start));
            }
            else
            {
                return;
            }
        }
    }

    private ResultColumn ParseColumn()
    {
        Node expr;
        if (Current.Is("*"))
        {
            var t = Tokens[Index++];
            expr = new Reference(null, "*", t.Position, 1);
        }
        else
        {
            expr = ParseExpr();
        }

        return new ResultColumn(expr, ParseAlias());
    }

    private string? ParseAlias()
    {
        if (Accept("as"))
        {
            return Name("an alias");
        }

        if (Current.Kind == SqlTokenKind.QuotedIdentifier || (Current.Kind == SqlTokenKind.Identifier && !Reserved.Contains(Current.Text)))
        {
            return Name("an alias");
        }

        return null;
    }

    private FromSource ParseFromSource(Join? join)
    {
        var start = Current.Position;
        if (Current.Is("("))
        {
            Index++;
            var select = ParseSelect();
            Expect(")");
            var alias = ParseAlias();
            return new SubquerySource(select, alias, join, start, EndOfPrevious - start);
        }

        var namePos = Current.Position;
        var first = Name("a table name");
        string? schema = null;
        var name = first;
        if (Accept("."))
        {
            schema = first;
            name = Name("a table name");
        }

        var nameLen = EndOfPrevious - namePos;
        if (Current.Is("("))
        {
            var args = ParseArguments();
            var call = new Call(schema, name, namePos, nameLen, args, start, EndOfPrevious - start);
            return new FunctionSource(call, ParseAlias(), join, start, EndOfPrevious - start);
        }

        var tableAlias = ParseAlias();
        return new TableSource(schema, name, tableAlias, join, namePos, nameLen, start, EndOfPrevious - start);
    }

    private List<Node> ParseArguments()
    {
        Expect("(");
        var args = new List<Node>();
        if (!Current.Is(")"))
        {
            do
            {
                args.Add(Current.Is("*") ? new Reference(null, "*", Tokens[Index++].Position, 1) : ParseExpr());
            }
            while (Accept(","));
        }

        Expect(")");
        return args;
    }

    private Node ParseExpr() => ParseOr();

    private Node ParseOr()
    {
        var left = ParseAnd();
        while (Accept("or"))
        {
            var right = ParseAnd();
            left = new Binary("OR", left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private Node ParseAnd()
    {
        var left = ParseNot();
        while (Accept("and"))
        {
            var right = ParseNot();
            left = new Binary("AND", left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private Node ParseNot()
    {
        if (Current.IsKeyword("not") && !Peek().IsKeyword("in") && !Peek().IsKeyword("between") && !Peek().IsKeyword("like"))
        {
            var start = Tokens[Index++].Position;
            var operand = ParseNot();
            return new Unary("NOT", operand, start, EndOfPrevious - start);
        }

        return ParseIs();
    }

    private Node ParseIs()
    {
        var left = ParseComparison();
        while (Current.IsKeyword("is"))
        {
            Index++;
            var negated = Accept("not");
            string what;
            if (Accept("null"))
            {
                what = "NULL";
            }
            else if (Accept("true"))
            {
                what = "TRUE";
            }
            else if (Accept("false"))
            {
                what = "FALSE";
            }
            else
            {
                throw Unexpected("NULL, TRUE or FALSE");
            }

            left = new Unary(negated ? "IS NOT " + what : "IS " + what, left, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private Node ParseComparison()
    {
        var left = ParseRange();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "=" or "!=" or "<>" or "<" or ">" or "<=" or ">=")
        {
            var op = Tokens[Index++].Text;
            var right = ParseRange();
            left = new Binary(op == "<>" ? "!=" : op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private Node ParseRange()
    {
        var left = ParseOther();
        while (true)
        {
            var negated = Current.IsKeyword("not") && (Peek().IsKeyword("in") || Peek().IsKeyword("between") || Peek().IsKeyword("like"));
            var keyword = negated ? Peek() : Current;
            if (keyword.IsKeyword("between"))
            {
                Index += negated ? 2 : 1;
                var low = ParseOther();
                Expect("and");
                var high = ParseOther();
                left = new Between(negated, left, low, high, left.Position, EndOfPrevious - left.Position);
            }
            else if (keyword.IsKeyword("in") || keyword.IsKeyword("like"))
            {
                Index += negated ? 2 : 1;
                var op = (negated ? "NOT " : string.Empty) + keyword.Text.ToUpperInvariant();
                var right = ParseOther();
                left = new Binary(op, left, right, left.Position, EndOfPrevious - left.Position);
            }
            else
            {
                return left;
            }
        }
    }

    private Node ParseOther()
    {
        var left = ParseAdditive();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "||" or "&&" or "&" or "|" or "<<" or ">>" or "->" or "->>")
        {
            var op = Tokens[Index++].Text;
            if (op is "->" or "->>")
            {
                var keyToken = Current;
                var key = ParseUnary();
                if (key is not Literal { Kind: LiteralKind.String or LiteralKind.Integer } literal)
                {
                    throw new SqlSyntaxException("Syntax error: expected a string or integer after " + op, keyToken.Position, Math.Max(keyToken.Length, 1));
                }

                left = new Member(op, left, literal, left.Position, EndOfPrevious - left.Position);
                continue;
            }

            var right = ParseAdditive();
            left = new Binary(op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private Node ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "+" or "-")
        {
            var op = Tokens[Index++].Text;
            var right = ParseMultiplicative();
            left = new Binary(op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private Node ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind == SqlTokenKind.Operator && Current.Text is "*" or "/" or "%")
        {
            var op = Tokens[Index++].Text;
            var right = ParseUnary();
            left = new Binary(op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    private Node ParseUnary()
    {
        if (Current.Is("-") && Peek().Kind is SqlTokenKind.Integer or SqlTokenKind.Decimal && Peek().Position == Current.Position + 1)
        {
            // '-1' is a negative literal (Postgres), not unary minus.
            var minus = Tokens[Index++];
            var number = (Literal)ParsePrimary();
            return ParsePostfixCast(number with { Text = "-" + number.Text, Position = minus.Position, Length = number.Length + 1 });
        }

        if (Current.Kind == SqlTokenKind.Operator && Current.Text is "-" or "+")
        {
            var t = Tokens[Index++];
            var operand = ParseUnary();
            return new Unary(t.Text, operand, t.Position, EndOfPrevious - t.Position);
        }

        return ParsePostfixCast(ParsePrimary());
    }

    private Node ParsePostfixCast(Node operand)
    {
        while (Current.Is("::"))
        {
            Index++;
            var typePos = Current.Position;
            var type = Name("a type name");
            operand = new Cast(operand, type, typePos, EndOfPrevious - typePos, operand.Position, EndOfPrevious - operand.Position);
        }

        return operand;
    }

    private Node ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case SqlTokenKind.String:
                Index++;
                return new Literal(LiteralKind.String, t.Text, t.Position, t.Length);
            case SqlTokenKind.Integer:
                Index++;
                return new Literal(LiteralKind.Integer, t.Text, t.Position, t.Length);
            case SqlTokenKind.Decimal:
                Index++;
                return new Literal(LiteralKind.Numeric, t.Text, t.Position, t.Length);
            case SqlTokenKind.Punctuation when t.Text == "(":
                return ParseParenthesized();
            case SqlTokenKind.Punctuation when t.Text == "?":
                Index++;
                return new Parameter(t.Position, t.Length);
            case SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier:
                return ParseNamed();
            default:
                throw Unexpected("an expression");
        }
    }

    private Node ParseParenthesized()
    {
        var start = Tokens[Index++].Position;
        if (Current.IsKeyword("select"))
        {
            var select = ParseSelect();
            Expect(")");
            return new SubSelect(select, select.Position, EndOfPrevious - start);
        }

        var inner = ParseExpr();
        if (Current.Is(","))
        {
            while (Accept(","))
            {
                ParseExpr();
            }

            Expect(")");
            return new Unsupported(inner.Position, EndOfPrevious - start);
        }

        Expect(")");
        return inner;
    }

    private Node ParseNamed()
    {
        var t = Current;
        if (t.Kind == SqlTokenKind.Identifier)
        {
            switch (t.Text.ToLowerInvariant())
            {
                case "null":
                    Index++;
                    return new Literal(LiteralKind.Null, "NULL", t.Position, t.Length);
                case "true" or "false":
                    Index++;
                    return new Literal(LiteralKind.Boolean, t.Text.ToLowerInvariant(), t.Position, t.Length);
                case "case":
                    return ParseCase();
                case "cast" when Peek().Is("("):
                    return ParseCast();
                case "exists" when Peek().Is("("):
                    Index++;
                    var inner = ParseParenthesized();
                    return new Unsupported(t.Position, inner.Position + inner.Length - t.Position);
                case "array" when Peek().Is("["):
                    return ParseArray();
            }
        }

        var start = t.Position;
        var first = Name("an expression");
        if (Current.Is("("))
        {
            return (t.Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier) && first.Equals("substring", StringComparison.OrdinalIgnoreCase)
                ? ParseSubstring(t)
                : new Call(null, first, t.Position, t.Length, ParseArguments(), start, EndOfPrevious - start);
        }

        if (!Accept("."))
        {
            return new Reference(null, first, start, EndOfPrevious - start);
        }

        if (Current.Is("*"))
        {
            Index++;
            return new Reference(first, "*", start, EndOfPrevious - start);
        }

        var secondPos = Current.Position;
        var second = Name("a column name");
        if (Current.Is("("))
        {
            return new Call(first, second, start, EndOfPrevious - start, ParseArguments(), start, EndOfPrevious - start);
        }

        if (Accept("."))
        {
            // schema.table.column: the schema does not take part in resolution.
            var third = Name("a column name");
            return new Reference(second, third, start, EndOfPrevious - start);
        }

        _ = secondPos;
        return new Reference(first, second, start, EndOfPrevious - start);
    }

    /// <summary>
    /// <c>substring(</c>: the call form, or Postgres' <c>FROM</c>/<c>FOR</c> form once the first argument is followed by
    /// one of them. <c>substring(x)</c> matches both forms, which the official parser rejects as ambiguous at the query's start.
    /// </summary>
    private Node ParseSubstring(SqlToken name)
    {
        var open = Index;
        Expect("(");
        if (Current.Is(")") || Current.Is("*"))
        {
            Index = open;
            return new Call(null, name.Text, name.Position, name.Length, ParseArguments(), name.Position, EndOfPrevious - name.Position);
        }

        var value = ParseExpr();
        if (Current.Is(")"))
        {
            throw new SqlSyntaxException("Ambiguous SQL syntax: substring(x) reads as a call and as SUBSTRING(x FROM ... FOR ...); give a start: substring(x, start)", 0, 0);
        }

        if (!Current.IsKeyword("from") && !Current.IsKeyword("for"))
        {
            Index = open;
            return new Call(null, name.Text, name.Position, name.Length, ParseArguments(), name.Position, EndOfPrevious - name.Position);
        }

        var from = Accept("from") ? ParseExpr() : null;
        var length = Accept("for") ? ParseExpr() : null;
        Expect(")");
        return new SubstringFrom(value, from, length, name.Position, EndOfPrevious - name.Position);
    }

    private Case ParseCase()
    {
        var start = Tokens[Index++].Position;
        Node? operand = Current.IsKeyword("when") ? null : ParseExpr();
        var whens = new List<(Node, Node)>();
        while (Accept("when"))
        {
            var when = ParseExpr();
            Expect("then");
            whens.Add((when, ParseExpr()));
        }

        if (whens.Count == 0)
        {
            throw Unexpected("WHEN");
        }

        Node? otherwise = Accept("else") ? ParseExpr() : null;
        Expect("end");
        return new Case(operand, whens, otherwise, start, EndOfPrevious - start);
    }

    private Cast ParseCast()
    {
        var start = Tokens[Index++].Position;
        Expect("(");
        var operand = ParseExpr();
        Expect("as");
        var typePos = Current.Position;
        var type = Name("a type name");
        var typeLen = EndOfPrevious - typePos;
        if (Current.Is("("))
        {
            ParseArguments(); // varchar(10) and the like: the name decides.
        }

        Expect(")");
        return new Cast(operand, type, typePos, typeLen, start, EndOfPrevious - start);
    }

    private ValueList ParseArray()
    {
        var start = Tokens[Index++].Position;
        Expect("[");
        var items = new List<Node>();
        if (!Current.Is("]"))
        {
            do
            {
                items.Add(ParseExpr());
            }
            while (Accept(","));
        }

        Expect("]");
        return new ValueList(items, start, EndOfPrevious - start);
    }
}
