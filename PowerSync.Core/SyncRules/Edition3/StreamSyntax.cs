using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Edition3;

/// <summary>A node of an edition-3 query as written (Postgres syntax); Position/Length locate it in the SQL text.</summary>
internal abstract record Node(int Position, int Length);

/// <summary>NULL, TRUE/FALSE, a string, an integer (its digits as written) or a decimal.</summary>
internal sealed record Literal(LiteralKind Kind, string Text, int Position, int Length) : Node(Position, Length);

internal enum LiteralKind : byte
{
    Null,
    Boolean,
    String,
    Integer,
    Numeric,
}

/// <summary><c>column</c>, <c>table.column</c>, <c>*</c> or <c>table.*</c>.</summary>
internal sealed record Reference(string? Table, string Name, int Position, int Length) : Node(Position, Length)
{
    public bool IsStar => Name == "*";
}

/// <summary><c>name(args)</c> or <c>schema.name(args)</c>.</summary>
internal sealed record Call(string? Schema, string Name, int NamePosition, int NameLength, IReadOnlyList<Node> Args, int Position, int Length) : Node(Position, Length);

/// <summary>
/// <c>SUBSTRING(value [FROM start] [FOR length])</c> with at least one of the two: the official compiler reads it as
/// <c>substr(value, start ?? 1[, length])</c>.
/// </summary>
internal sealed record SubstringFrom(Node Value, Node? From, Node? For, int Position, int Length) : Node(Position, Length);

/// <summary>A binary operator; keyword operators upper case (AND, OR, IN, NOT IN, LIKE, NOT LIKE).</summary>
internal sealed record Binary(string Op, Node Left, Node Right, int Position, int Length) : Node(Position, Length);

/// <summary>NOT, unary + and -, IS [NOT] NULL/TRUE/FALSE.</summary>
internal sealed record Unary(string Op, Node Operand, int Position, int Length) : Node(Position, Length);

/// <summary><c>x [NOT] BETWEEN lo AND hi</c>.</summary>
internal sealed record Between(bool Negated, Node Value, Node Low, Node High, int Position, int Length) : Node(Position, Length);

/// <summary><c>CASE [operand] WHEN .. THEN .. [ELSE ..] END</c>.</summary>
internal sealed record Case(Node? Operand, IReadOnlyList<(Node When, Node Then)> Whens, Node? Else, int Position, int Length) : Node(Position, Length);

/// <summary><c>CAST(x AS type)</c> or <c>x::type</c>; <see cref="TypePosition"/> locates the type name.</summary>
internal sealed record Cast(Node Operand, string TypeName, int TypePosition, int TypeLength, int Position, int Length) : Node(Position, Length);

/// <summary><c>x -> 'member'</c> / <c>x ->> 'member'</c> (or an integer member).</summary>
internal sealed record Member(string Op, Node Operand, Literal Key, int Position, int Length) : Node(Position, Length);

/// <summary><c>?</c> / <c>$1</c>: never allowed, reported.</summary>
internal sealed record Parameter(int Position, int Length) : Node(Position, Length);

/// <summary><c>ARRAY[...]</c> or <c>ROW(...)</c>-like value lists after IN.</summary>
internal sealed record ValueList(IReadOnlyList<Node> Items, int Position, int Length) : Node(Position, Length);

/// <summary>A construct Postgres has but PowerSync does not (a parenthesized list, EXISTS, ...).</summary>
internal sealed record Unsupported(int Position, int Length) : Node(Position, Length);

/// <summary>A parenthesized <c>SELECT</c> inside an expression.</summary>
internal sealed record SubSelect(Select Select, int Position, int Length) : Node(Position, Length);

/// <summary>One output column.</summary>
internal sealed record ResultColumn(Node Expr, string? Alias);

/// <summary>An item of FROM, with the join that attaches it (null for the first one and for commas).</summary>
internal abstract record FromSource(string? Alias, Join? Join, int Position, int Length);

internal sealed record TableSource(string? Schema, string Name, string? Alias, Join? Join, int NamePosition, int NameLength, int Position, int Length)
    : FromSource(Alias, Join, Position, Length);

internal sealed record FunctionSource(Call Function, string? Alias, Join? Join, int Position, int Length) : FromSource(Alias, Join, Position, Length);

internal sealed record SubquerySource(Select Select, string? Alias, Join? Join, int Position, int Length) : FromSource(Alias, Join, Position, Length);

/// <summary><c>[INNER|LEFT|...] JOIN ... ON ...</c> / <c>USING (...)</c>.</summary>
internal sealed record Join(string Kind, Node? On, int UsingPosition, int UsingLength, int Position, int Length);

/// <summary>A clause that is parsed but not supported: where and what.</summary>
internal sealed record Clause(string Description, int Position, int Length);

/// <summary>A parsed <c>SELECT</c> statement.</summary>
internal sealed record Select(
    IReadOnlyList<ResultColumn> Columns,
    IReadOnlyList<FromSource> From,
    Node? Where,
    IReadOnlyList<Clause> Unsupported,
    int Position,
    int Length);

/// <summary>A statement that is not a SELECT (reported: "Expected a SELECT statement").</summary>
internal sealed class NotASelectException(int position, int length) : Exception("Expected a SELECT statement")
{
    public int Position { get; } = position;

    public int Length { get; } = length;
}

/// <summary>Tokens of one query: cursor helpers shared by the statement and expression parsers.</summary>
internal abstract class TokenCursor(string sql)
{
    protected readonly string Sql = sql;
    protected readonly List<SqlToken> Tokens = Tokenize(sql);
    protected int Index;

    protected SqlToken Current => Tokens[Index];

    private static List<SqlToken> Tokenize(string sql)
    {
        try
        {
            return SqlLexer.Tokenize(sql);
        }
        catch (SqlSyntaxException e)
        {
            // An unterminated literal has no token to point at: the whole query, as officially. An exponent
            // ('1.5e0') reads officially as a number and an alias, so the error is at the token after them.
            if (e.Message.StartsWith("Unterminated", StringComparison.Ordinal))
            {
                throw new SqlSyntaxException(e.Message, 0, sql.Length);
            }

            if (e.Message.StartsWith("Unsupported number literal", StringComparison.Ordinal))
            {
                var i = e.Position;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '.' or '_'))
                {
                    i++;
                }

                while (i < sql.Length && char.IsWhiteSpace(sql[i]))
                {
                    i++;
                }

                throw new SqlSyntaxException(e.Message, i < sql.Length ? i : 0, 1);
            }

            throw;
        }
    }

    protected SqlToken Peek(int ahead = 1) => Tokens[Math.Min(Index + ahead, Tokens.Count - 1)];

    protected int EndOfPrevious => Index == 0 ? 0 : Tokens[Index - 1].Position + Tokens[Index - 1].Length;

    protected SqlSyntaxException Unexpected(string expected)
    {
        var t = Current;
        if (t.Kind == SqlTokenKind.End)
        {
            return new SqlSyntaxException($"Syntax error: expected {expected}, found end of input", 0, Sql.Length);
        }

        return new SqlSyntaxException($"Syntax error: expected {expected}, found '{Sql.Substring(t.Position, t.Length)}'", t.Position, Math.Max(t.Length, 1));
    }

    protected bool Accept(string keywordOrSymbol)
    {
        if (Current.IsKeyword(keywordOrSymbol) || Current.Is(keywordOrSymbol))
        {
            Index++;
            return true;
        }

        return false;
    }

    protected SqlToken Expect(string keywordOrSymbol)
    {
        if (!Current.IsKeyword(keywordOrSymbol) && !Current.Is(keywordOrSymbol))
        {
            throw Unexpected($"'{keywordOrSymbol}'");
        }

        return Tokens[Index++];
    }

    /// <summary>An identifier: quoted as written, unquoted lower-cased (Postgres).</summary>
    protected string Name(string what)
    {
        var t = Current;
        if (t.Kind == SqlTokenKind.QuotedIdentifier)
        {
            Index++;
            return t.Text;
        }

        if (t.Kind == SqlTokenKind.Identifier && !StreamParser.Reserved.Contains(t.Text))
        {
            Index++;
            return t.Text.ToLowerInvariant();
        }

        throw Unexpected(what);
    }
}
