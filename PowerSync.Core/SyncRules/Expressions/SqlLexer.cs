using System.Text;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>Splits SQL text into tokens (Postgres lexical rules, which the official parser uses).</summary>
internal static class SqlLexer
{
    private static readonly string[] Operators =
    [
        "->>", "->", "<>", "!=", "<=", ">=", "||", "&&", "::", "<<", ">>", "=", "<", ">", "+", "-", "*", "/", "%", "&", "|",
    ];

    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw new SqlSyntaxException("Unterminated /* comment", i, 2);
                }

                i = end + 2;
                continue;
            }

            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_' || sql[i] == '$'))
                {
                    i++;
                }

                tokens.Add(new(SqlTokenKind.Identifier, sql[start..i], start, i - start));
                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1])))
            {
                var isDecimal = false;
                while (i < sql.Length && (char.IsAsciiDigit(sql[i]) || (sql[i] == '.' && !isDecimal)))
                {
                    isDecimal |= sql[i] == '.';
                    i++;
                }

                if (i < sql.Length && (sql[i] is 'e' or 'E' || char.IsLetter(sql[i])))
                {
                    throw new SqlSyntaxException(
                        $"Unsupported number literal '{sql[start..(i + 1)]}': exponent notation is not supported, write the number out in full", start, i + 1 - start);
                }

                tokens.Add(new(isDecimal ? SqlTokenKind.Decimal : SqlTokenKind.Integer, sql[start..i], start, i - start));
                continue;
            }

            if (c == '\'' || c == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= sql.Length)
                    {
                        throw new SqlSyntaxException(c == '\'' ? "Unterminated string literal" : "Unterminated quoted identifier", start, sql.Length - start);
                    }

                    if (sql[i] == c)
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == c)
                        {
                            sb.Append(c);
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    sb.Append(sql[i++]);
                }

                tokens.Add(new(c == '\'' ? SqlTokenKind.String : SqlTokenKind.QuotedIdentifier, sb.ToString(), start, i - start));
                continue;
            }

            if (c is '(' or ')' or ',' or '.' or ';' or '[' or ']')
            {
                tokens.Add(new(SqlTokenKind.Punctuation, c.ToString(), i, 1));
                i++;
                continue;
            }

            var op = Array.Find(Operators, o => string.CompareOrdinal(sql, i, o, 0, o.Length) == 0);
            if (op is null)
            {
                throw new SqlSyntaxException($"Unexpected character '{c}'", i, 1);
            }

            tokens.Add(new(SqlTokenKind.Operator, op, i, op.Length));
            i += op.Length;
        }

        tokens.Add(new(SqlTokenKind.End, string.Empty, sql.Length, 0));
        return tokens;
    }
}
