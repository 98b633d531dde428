namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>Token kinds of the sync-rules SQL subset.</summary>
internal enum SqlTokenKind : byte
{
    End,
    Identifier,
    QuotedIdentifier,
    String,
    Integer,
    Decimal,
    Operator,
    Punctuation,
}

/// <summary>One token with its position (offset into the SQL text) and length.</summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, string Text, int Position, int Length)
{
    /// <summary>True for an unquoted identifier equal (case-insensitively) to <paramref name="keyword"/>.</summary>
    public bool IsKeyword(string keyword) =>
        Kind == SqlTokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the operator or punctuation <paramref name="symbol"/>.</summary>
    public bool Is(string symbol) =>
        Kind is SqlTokenKind.Operator or SqlTokenKind.Punctuation && string.Equals(Text, symbol, StringComparison.Ordinal);
}
