namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>A rejected query: message plus the offending range in the SQL text.</summary>
internal sealed class SqlSyntaxException(string message, int position, int length) : Exception(message)
{
    public int Position { get; } = position;

    public int Length { get; } = length;
}
