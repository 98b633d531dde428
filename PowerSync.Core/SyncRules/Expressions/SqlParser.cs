using System.Globalization;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// Recursive-descent parser for the sync-rules SQL subset. It accepts a little more than the
/// evaluator supports (JOIN, ORDER BY, CASE...) so it can name the unsupported feature precisely;
/// the compilers reject those with a positioned error.
/// Precedence follows Postgres: OR &lt; AND &lt; NOT &lt; IS &lt; comparison &lt; IN/LIKE &lt;
/// other operators (||, ->, ->>, &amp;&amp;) &lt; + - &lt; * / % &lt; unary &lt; ::.
/// </summary>
internal sealed partial class SqlParser
{
    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "as", "and", "or", "not", "in", "is", "null", "group", "order", "by", "limit",
        "offset", "having", "join", "inner", "left", "right", "full", "outer", "cross", "on", "union", "distinct",
        "case", "when", "then", "else", "end", "between", "like", "cast", "true", "false", "with", "using",
    };

    /// <summary>Postgres' SQL value functions written without parentheses; the official parser rejects them.</summary>
    private static readonly HashSet<string> SqlValueFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime", "current_user", "session_user",
        "current_role", "current_catalog", "current_schema",
    };

    private readonly string _sql;
    private readonly List<SqlToken> _tokens;
    private readonly List<UnsupportedClause> _caseWarnings = [];
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

        return statement with { CaseWarnings = parser._caseWarnings };
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

    /// <summary>A name that is lower-cased by the parser: warn, as the official parser does, when it was not lower case.</summary>
    private string ParseReferenceName(string what)
    {
        var t = Current;
        var name = ParseName(what);
        if (t.Kind == SqlTokenKind.Identifier && !string.Equals(name, t.Text, StringComparison.Ordinal))
        {
            _caseWarnings.Add(new($"Unquoted identifiers are converted to lower-case. Use \"{t.Text}\" instead.", t.Position, t.Length));
        }

        return name;
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

        var first = ParseReferenceName("a table name");
        string? schema = null;
        var name = first;
        if (AcceptSymbol("."))
        {
            schema = first;
            name = ParseReferenceName("a table name after the schema");
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
}
