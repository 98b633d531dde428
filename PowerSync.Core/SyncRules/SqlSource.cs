namespace PowerSync.Core.SyncRules;

/// <summary>One SQL query from the YAML plus a map from offsets in it to YAML line/column.</summary>
internal sealed class SqlSource(string sql, Func<int, (int Line, int Column)> locate)
{
    public string Sql { get; } = sql;

    public (int Line, int Column) Locate(int offset) => locate(Math.Clamp(offset, 0, Sql.Length));
}
