using System.Globalization;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>The expression grammar of <see cref="SqlParser"/> (precedence climbing, Postgres order).</summary>
internal sealed partial class SqlParser
{
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

        // Column references (not function names) warn about lower-casing, like the official parser.
        var last = _tokens[_index - 1];
        if (last.Kind == SqlTokenKind.Identifier && !string.Equals(last.Text, parts[^1], StringComparison.Ordinal))
        {
            _caseWarnings.Add(new($"Unquoted identifiers are converted to lower-case. Use \"{last.Text}\" instead.", last.Position, last.Length));
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
