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

        return ParseEquality();
    }

    private SqlExpr Binary(Func<SqlExpr> next, Func<SqlToken, bool> isOperator, Func<string, string>? normalize = null)
    {
        var left = next();
        while (isOperator(Current))
        {
            var op = _tokens[_index++].Text;
            var right = next();
            left = new BinaryExpr(normalize?.Invoke(op) ?? op, left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    // = != <> bind looser than IS and the other comparisons (the official pgsql-ast-parser grammar).
    private SqlExpr ParseEquality() =>
        Binary(ParseIs, t => t.Kind == SqlTokenKind.Operator && t.Text is "=" or "!=" or "<>", op => op == "<>" ? "!=" : op);

    private SqlExpr ParseIs()
    {
        var left = ParseCompare();
        while (Current.IsKeyword("is") || Current.IsKeyword("isnull") || Current.IsKeyword("notnull"))
        {
            if (!Current.IsKeyword("is"))
            {
                // Postfix ISNULL / NOTNULL (Postgres), as IS NULL / IS NOT NULL.
                var notNull = Current.IsKeyword("notnull");
                _index++;
                left = new UnaryExpr(notNull ? "IS NOT NULL" : "IS NULL", left, left.Position, EndOfPrevious - left.Position);
                continue;
            }

            _index++;
            var negated = AcceptKeyword("not");
            if (AcceptKeyword("null"))
            {
                left = new UnaryExpr(negated ? "IS NOT NULL" : "IS NULL", left, left.Position, EndOfPrevious - left.Position);
            }
            else if (Current.IsKeyword("true") || Current.IsKeyword("false"))
            {
                var word = _tokens[_index++].Text.ToUpperInvariant();
                left = new UnsupportedExpr($"IS {(negated ? "NOT " : string.Empty)}{word}", left.Position, EndOfPrevious - left.Position);
            }
            else
            {
                throw Unexpected(negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
            }
        }

        return left;
    }

    private SqlExpr ParseCompare() =>
        Binary(ParseBetween, t => t.Kind == SqlTokenKind.Operator && t.Text is "<" or ">" or "<=" or ">=" or "<<" or ">>");

    private SqlExpr ParseBetween()
    {
        var left = ParseOthers();
        var negated = Current.IsKeyword("not") && Peek().IsKeyword("between");
        if (negated || Current.IsKeyword("between"))
        {
            var start = Current.Position;
            _index += negated ? 2 : 1;
            ParseOthers();
            if (!AcceptKeyword("and"))
            {
                throw Unexpected("AND");
            }

            ParseOthers();
            return new UnsupportedExpr("BETWEEN operator", start, EndOfPrevious - start);
        }

        return left;
    }

    private SqlExpr ParseOthers() => Binary(ParseLike, t => t.Kind == SqlTokenKind.Operator && t.Text is "&" or "|");

    private SqlExpr ParseLike()
    {
        var left = ParseIn();
        while ((Current.IsKeyword("not") && Peek().IsKeyword("like")) || Current.IsKeyword("like"))
        {
            var start = Current.Position;
            _index += Current.IsKeyword("not") ? 2 : 1;
            ParseIn();
            left = new UnsupportedExpr("LIKE operator", start, EndOfPrevious - start);
        }

        return left;
    }

    private SqlExpr ParseIn()
    {
        var left = ParseAdditive();
        while ((Current.IsKeyword("not") && Peek().IsKeyword("in")) || Current.IsKeyword("in"))
        {
            var negated = Current.IsKeyword("not");
            _index += negated ? 2 : 1;
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
                right = ParseAdditive();
            }

            left = new BinaryExpr(negated ? "NOT IN" : "IN", left, right, left.Position, EndOfPrevious - left.Position);
        }

        return left;
    }

    // || and && are additive-level operators in the official grammar.
    private SqlExpr ParseAdditive() =>
        Binary(ParseMultiplicative, t => t.Kind == SqlTokenKind.Operator && t.Text is "+" or "-" or "||" or "&&");

    private SqlExpr ParseMultiplicative() =>
        Binary(ParseUnary, t => t.Kind == SqlTokenKind.Operator && t.Text is "*" or "/" or "%");

    private SqlExpr ParseUnary()
    {
        if (Current.Kind == SqlTokenKind.Operator && Current.Text is "-" or "+")
        {
            // The official grammar has no unary + or -: only a '-' written directly before a number is a sign.
            throw new SqlSyntaxException(
                $"Unary {Current.Text} is not supported: write a negative number with its sign directly before it (-1), or use 0 - x",
                Current.Position,
                1);
        }

        return ParseMember();
    }

    // -> and ->> bind tighter than every other operator and take a string (or integer) literal.
    private SqlExpr ParseMember()
    {
        var expr = ParsePrimary();
        while (true)
        {
            if (Current.Is("::"))
            {
                _index++;
                var type = ParseName("a type name after ::");
                expr = new CastExpr(expr, type, expr.Position, EndOfPrevious - expr.Position);
            }
            else if (Current.Kind == SqlTokenKind.Operator && Current.Text is "->" or "->>")
            {
                var op = _tokens[_index++].Text;
                var member = Current;
                if (member.Kind is not (SqlTokenKind.String or SqlTokenKind.Integer))
                {
                    throw Unexpected($"a string literal after {op} (e.g. {op} 'key')");
                }

                _index++;
                var literal = new LiteralExpr(
                    member.Kind == SqlTokenKind.String ? SqliteValue.FromText(member.Text) : SqliteValue.FromInteger(long.Parse(member.Text, CultureInfo.InvariantCulture)),
                    member.Position,
                    member.Length);
                expr = new MemberExpr(op, expr, literal, expr.Position, EndOfPrevious - expr.Position);
            }
            else
            {
                return expr;
            }
        }
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
                return new LiteralExpr(IntegerLiteral(t.Text), t.Position, t.Length);
            case SqlTokenKind.Decimal:
                _index++;
                return new LiteralExpr(SqliteValue.FromReal(double.Parse(t.Text, CultureInfo.InvariantCulture)), t.Position, t.Length);
            case SqlTokenKind.Punctuation when t.Text == "(":
                return ParseParenthesized();
            case SqlTokenKind.Identifier:
                return ParseKeywordExpression() ?? ParseNameOrCall();
            case SqlTokenKind.QuotedIdentifier:
                return ParseNameOrCall();
            case SqlTokenKind.Operator when t.Text == "*":
                throw new SqlSyntaxException("* is not supported here", t.Position, 1);
            default:
                throw Unexpected("an expression");
        }
    }

    /// <summary>
    /// An integer literal as the official legacy evaluator reads it: through a double, then exactly
    /// (<c>9007199254740993</c> is 9007199254740992, <c>9223372036854775807</c> is 2^63, an INTEGER beyond int64).
    /// </summary>
    internal static SqliteValue IntegerLiteral(string text)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exact) && exact is >= -(1L << 53) and <= 1L << 53)
        {
            return SqliteValue.FromInteger(exact); // exact in a double too: the fast, common case
        }

        return SqlValueSemantics.IntegerFromDouble(double.Parse(text, CultureInfo.InvariantCulture));
    }

    /// <summary><c>( expression )</c> or a sub-select <c>( SELECT ... )</c>.</summary>
    private SqlExpr ParseParenthesized()
    {
        var open = Current;
        _index++;
        if (Current.IsKeyword("select"))
        {
            var select = ParseSelectStatement();
            Expect(")");
            return new SubqueryExpr(select, open.Position, EndOfPrevious - open.Position);
        }

        var inner = ParseExpr();
        if (Current.Is(","))
        {
            throw new SqlSyntaxException("Row values / lists are not supported here", Current.Position, 1);
        }

        Expect(")");
        return inner;
    }

    /// <summary>An expression starting with a keyword (NULL, TRUE, FALSE, CAST, CASE); null when the identifier is a name.</summary>
    private SqlExpr? ParseKeywordExpression()
    {
        var t = Current;
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
            return ParseCast();
        }

        if (t.IsKeyword("case"))
        {
            return SkipCase();
        }

        if (ReservedWords.Contains(t.Text))
        {
            throw Unexpected("an expression");
        }

        if (SqlValueFunctions.Contains(t.Text))
        {
            throw new SqlSyntaxException($"{t.Text.ToUpperInvariant()} is not supported in sync rules", t.Position, t.Length);
        }

        return null;
    }

    /// <summary><c>CAST(expression AS type)</c>.</summary>
    private CastExpr ParseCast()
    {
        var start = Current.Position;
        _index += 2;
        var operand = ParseExpr();
        if (!AcceptKeyword("as"))
        {
            throw Unexpected("AS in CAST(... AS type)");
        }

        var type = ParseName("a type name");
        Expect(")");
        return new CastExpr(operand, type, start, EndOfPrevious - start);
    }

    /// <summary><c>CASE ... END</c>, which is not supported: skipped to its END and named.</summary>
    private UnsupportedExpr SkipCase()
    {
        var start = Current.Position;
        _index++;
        var depth = 0;
        while (Current.Kind != SqlTokenKind.End && !(Current.IsKeyword("end") && depth == 0))
        {
            depth += Current.IsKeyword("case") ? 1 : 0;
            depth -= Current.IsKeyword("end") ? 1 : 0;
            _index++;
        }

        Expect("END");
        return new UnsupportedExpr("CASE expression (use iif(condition, a, b) instead)", start, EndOfPrevious - start);
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
