using System.Text;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>Splits SQL text into tokens (Postgres lexical rules, which the official parser uses).</summary>
internal sealed class SqlLexer
{
    private static readonly string[] Operators =
    [
        "->>", "->", "<>", "!=", "<=", ">=", "||", "&&", "::", "<<", ">>", "=", "<", ">", "+", "-", "*", "/", "%", "&", "|",
    ];

    private readonly string _sql;
    private readonly List<SqlToken> _tokens = [];
    private int _i;

    private SqlLexer(string sql) => _sql = sql;

    public static List<SqlToken> Tokenize(string sql) => new SqlLexer(sql).Tokenize();

    /// <summary>The character at <paramref name="index"/>, or NUL past the end.</summary>
    private char At(int index) => index < _sql.Length ? _sql[index] : '\0';

    private List<SqlToken> Tokenize()
    {
        while (_i < _sql.Length)
        {
            var c = _sql[_i];
            if (char.IsWhiteSpace(c))
            {
                _i++;
            }
            else if (c == '-' && At(_i + 1) == '-')
            {
                SkipLineComment();
            }
            else if (c == '/' && At(_i + 1) == '*')
            {
                SkipBlockComment();
            }
            else if (c is 'e' or 'E' && At(_i + 1) == '\'')
            {
                ReadEscapeString();
            }
            else if (char.IsLetter(c) || c == '_')
            {
                ReadIdentifier();
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(At(_i + 1))) || (c == '-' && StartsNumber(_i + 1)))
            {
                // As in the official parser's lexer, a '-' directly before a digit is part of the number, whatever
                // precedes it: `1 - -1` is 1 minus -1, while `i-1` and `i -1` are two operands without an operator.
                ReadNumber();
            }
            else if (c is '\'' or '"')
            {
                ReadQuoted(c);
            }
            else if (c is '(' or ')' or ',' or '.' or ';' or '[' or ']')
            {
                _tokens.Add(new(SqlTokenKind.Punctuation, c.ToString(), _i, 1));
                _i++;
            }
            else
            {
                ReadOperator(c);
            }
        }

        _tokens.Add(new(SqlTokenKind.End, string.Empty, _sql.Length, 0));
        return _tokens;
    }

    private void SkipLineComment()
    {
        while (_i < _sql.Length && _sql[_i] != '\n')
        {
            _i++;
        }
    }

    private void SkipBlockComment()
    {
        var end = _sql.IndexOf("*/", _i + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new SqlSyntaxException("Unterminated /* comment", _i, 2);
        }

        _i = end + 2;
    }

    private void ReadIdentifier()
    {
        var start = _i;
        while (_i < _sql.Length && (char.IsLetterOrDigit(_sql[_i]) || _sql[_i] == '_' || _sql[_i] == '$'))
        {
            _i++;
        }

        _tokens.Add(new(SqlTokenKind.Identifier, _sql[start.._i], start, _i - start));
    }

    private bool StartsNumber(int index) => char.IsAsciiDigit(At(index)) || (At(index) == '.' && char.IsAsciiDigit(At(index + 1)));

    /// <summary>An integer or decimal literal, with its sign if written directly before it; exponent notation is rejected.</summary>
    private void ReadNumber()
    {
        var start = _i;
        if (_sql[_i] == '-')
        {
            _i++;
        }

        var isDecimal = false;
        while (_i < _sql.Length && (char.IsAsciiDigit(_sql[_i]) || (_sql[_i] == '.' && !isDecimal)))
        {
            isDecimal |= _sql[_i] == '.';
            _i++;
        }

        if (_i < _sql.Length && (_sql[_i] is 'e' or 'E' || char.IsLetter(_sql[_i])))
        {
            throw new SqlSyntaxException(
                $"Unsupported number literal '{_sql[start..(_i + 1)]}': exponent notation is not supported, write the number out in full", start, _i + 1 - start);
        }

        _tokens.Add(new(isDecimal ? SqlTokenKind.Decimal : SqlTokenKind.Integer, _sql[start.._i], start, _i - start));
    }

    /// <summary>A 'string' or "quoted identifier"; a doubled quote stands for itself.</summary>
    private void ReadQuoted(char quote)
    {
        var start = _i;
        var sb = new StringBuilder();
        _i++;
        while (true)
        {
            if (_i >= _sql.Length)
            {
                throw new SqlSyntaxException(quote == '\'' ? "Unterminated string literal" : "Unterminated quoted identifier", start, _sql.Length - start);
            }

            if (_sql[_i] == quote)
            {
                if (_i + 1 < _sql.Length && _sql[_i + 1] == quote)
                {
                    sb.Append(quote);
                    _i += 2;
                    continue;
                }

                _i++;
                break;
            }

            sb.Append(_sql[_i++]);
        }

        _tokens.Add(new(quote == '\'' ? SqlTokenKind.String : SqlTokenKind.QuotedIdentifier, sb.ToString(), start, _i - start));
    }

    /// <summary>
    /// An escape string <c>E'...'</c> (the official parser's subset): <c>\b \f \n \r \t \\ \/ \" ''</c>; other
    /// escapes and the empty <c>E''</c> are rejected as the official parser rejects them.
    /// </summary>
    private void ReadEscapeString()
    {
        var start = _i;
        var sb = new StringBuilder();
        _i += 2;
        while (true)
        {
            if (_i >= _sql.Length)
            {
                throw new SqlSyntaxException("Unterminated string literal", start, _sql.Length - start);
            }

            var c = _sql[_i];
            if (c == '\'')
            {
                if (At(_i + 1) == '\'')
                {
                    sb.Append('\'');
                    _i += 2;
                    continue;
                }

                _i++;
                break;
            }

            if (c == '\\')
            {
                sb.Append(At(_i + 1) switch
                {
                    'b' => '\b',
                    'f' => '\f',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '\\' => '\\',
                    '/' => '/',
                    '"' => '"',
                    _ => throw new SqlSyntaxException($"Unsupported escape '\\{At(_i + 1)}' in E'...' string: only \\b \\f \\n \\r \\t \\\\ \\/ \\\" are supported", _i, 2),
                });
                _i += 2;
                continue;
            }

            sb.Append(c);
            _i++;
        }

        if (sb.Length == 0)
        {
            throw new SqlSyntaxException("An empty E'' string is not supported: write ''", start, _i - start);
        }

        _tokens.Add(new(SqlTokenKind.String, sb.ToString(), start, _i - start));
    }

    private void ReadOperator(char c)
    {
        var op = Array.Find(Operators, o => string.CompareOrdinal(_sql, _i, o, 0, o.Length) == 0)
            ?? throw new SqlSyntaxException($"Unexpected character '{c}'", _i, 1);
        _tokens.Add(new(SqlTokenKind.Operator, op, _i, op.Length));
        _i += op.Length;
    }
}
