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
            else if (char.IsLetter(c) || c == '_')
            {
                ReadIdentifier();
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(At(_i + 1))))
            {
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

    /// <summary>An integer or decimal literal; exponent notation is rejected.</summary>
    private void ReadNumber()
    {
        var start = _i;
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

    private void ReadOperator(char c)
    {
        var op = Array.Find(Operators, o => string.CompareOrdinal(_sql, _i, o, 0, o.Length) == 0)
            ?? throw new SqlSyntaxException($"Unexpected character '{c}'", _i, 1);
        _tokens.Add(new(SqlTokenKind.Operator, op, _i, op.Length));
        _i += op.Length;
    }
}
