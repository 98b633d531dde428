namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>A node of a parsed expression; Position/Length locate it in the SQL text.</summary>
internal abstract record SqlExpr(int Position, int Length);

/// <summary>A literal: string, integer, decimal, TRUE/FALSE (1/0) or NULL.</summary>
internal sealed record LiteralExpr(SqliteValue Value, int Position, int Length) : SqlExpr(Position, Length);

/// <summary><c>column</c>, <c>table.column</c>, <c>schema.table.column</c> or <c>*</c>/<c>table.*</c>.</summary>
internal sealed record ColumnRefExpr(string? Schema, string? Table, string Column, int Position, int Length) : SqlExpr(Position, Length);

/// <summary><c>name(args)</c> or <c>schema.name(args)</c> (request.user_id(), auth.parameter('x')).</summary>
internal sealed record CallExpr(string? Schema, string Name, IReadOnlyList<SqlExpr> Args, int Position, int Length) : SqlExpr(Position, Length);

/// <summary>A binary operator (upper-case keyword operators: AND, OR, IN, NOT IN, IS, IS NOT).</summary>
internal sealed record BinaryExpr(string Op, SqlExpr Left, SqlExpr Right, int Position, int Length) : SqlExpr(Position, Length);

/// <summary>A unary operator: NOT, -, +, IS NULL, IS NOT NULL.</summary>
internal sealed record UnaryExpr(string Op, SqlExpr Operand, int Position, int Length) : SqlExpr(Position, Length);

/// <summary><c>operand -> 'member'</c> / <c>operand ->> 'member'</c>.</summary>
internal sealed record MemberExpr(string Op, SqlExpr Operand, SqlExpr Member, int Position, int Length) : SqlExpr(Position, Length);

/// <summary><c>CAST(x AS type)</c> or <c>x::type</c>.</summary>
internal sealed record CastExpr(SqlExpr Operand, string TypeName, int Position, int Length) : SqlExpr(Position, Length);

/// <summary>A parenthesized sub-select (streams: <c>x IN (SELECT ...)</c>).</summary>
internal sealed record SubqueryExpr(SelectStatement Select, int Position, int Length) : SqlExpr(Position, Length);

/// <summary>Any construct the parser recognises but the evaluator does not support (CASE, BETWEEN, LIKE...).</summary>
internal sealed record UnsupportedExpr(string What, int Position, int Length) : SqlExpr(Position, Length);

/// <summary>One output column: an expression with an optional alias.</summary>
internal sealed record SelectColumn(SqlExpr Expr, string? Alias, int AliasPosition);

/// <summary>The FROM item: a table (with optional schema/alias) or a table-valued function call.</summary>
internal sealed record FromItem(string? Schema, string Name, string? Alias, CallExpr? Function, int Position, int Length)
{
    /// <summary>The name columns are qualified with: the alias, else the table name.</summary>
    public string EffectiveName => Alias ?? Name;
}

/// <summary>A clause the parser accepted but that is not supported (ORDER BY, LIMIT, GROUP BY...).</summary>
internal sealed record UnsupportedClause(string Message, int Position, int Length);

/// <summary>A parsed <c>SELECT</c>.</summary>
internal sealed record SelectStatement(
    IReadOnlyList<SelectColumn> Columns,
    FromItem? From,
    IReadOnlyList<FromItem> ExtraFrom,
    SqlExpr? Where,
    IReadOnlyList<UnsupportedClause> Unsupported,
    int Position,
    int Length)
{
    /// <summary>Unquoted mixed-case names that were lower-cased (reported as warnings).</summary>
    public IReadOnlyList<UnsupportedClause> CaseWarnings { get; init; } = [];
}
