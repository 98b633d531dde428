namespace PowerSync.Core.SyncRules;

/// <summary>
/// A source table the rules read: schema plus table name, where a name ending in <c>%</c> is a
/// prefix pattern (<c>todos_%</c>). Replication snapshots and streams every table that matches.
/// </summary>
public sealed record SourceTablePattern(string Schema, string Table)
{
    /// <summary>True when <see cref="Table"/> ends with <c>%</c>.</summary>
    public bool IsWildcard => Table.EndsWith('%');

    /// <summary>Whether a concrete table matches.</summary>
    public bool Matches(string schema, string table) =>
        string.Equals(schema, Schema, StringComparison.Ordinal) && (IsWildcard
            ? table.StartsWith(Table[..^1], StringComparison.Ordinal)
            : string.Equals(table, Table, StringComparison.Ordinal));

    /// <summary><c>schema.table</c>.</summary>
    public override string ToString() => $"{Schema}.{Table}";
}
