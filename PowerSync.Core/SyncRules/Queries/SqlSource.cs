namespace PowerSync.Core.SyncRules.Queries;

/// <summary>One SQL query from the YAML plus a map from offsets in it to YAML line/column.</summary>
internal sealed class SqlSource(string sql, Func<int, (int Line, int Column)> locate)
{
    public string Sql { get; } = sql;

    public (int Line, int Column) Locate(int offset) => locate(Math.Clamp(offset, 0, Sql.Length));
}

/// <summary>Collects positioned errors and warnings during one validation pass.</summary>
internal sealed class ErrorSink
{
    private readonly List<SyncRulesError> _items = [];

    public IReadOnlyList<SyncRulesError> Items => _items;

    public bool HasErrors => _items.Any(e => !e.IsWarning);

    public void Add(int line, int column, string message, string code, bool warning = false) =>
        _items.Add(new SyncRulesError(line, column, message, code, warning));

    public void AddSql(SqlSource source, int offset, string message, string code, bool warning = false)
    {
        var (line, column) = source.Locate(offset);
        Add(line, column, message, code, warning);
    }
}

/// <summary>Compatibility switches of one rule set (from <c>config:</c>).</summary>
internal sealed record SyncRulesConfig(int Edition, bool TimestampsIso8601, bool VersionedBucketIds, bool FixedJsonExtract, bool CustomPostgresTypes)
{
    public static SyncRulesConfig ForEdition(int edition) => new(edition, edition >= 2, edition >= 2, edition >= 2, edition >= 2);
}
