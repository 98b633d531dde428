namespace PowerSync.Core.SyncRules;

/// <summary>Collects positioned errors and warnings during one validation pass, in the order they are found.</summary>
internal sealed class ErrorSink
{
    private readonly List<SyncRulesError> _items = [];

    public IReadOnlyList<SyncRulesError> Items => _items;

    /// <summary>How many of the items are errors (not warnings).</summary>
    public int ErrorCount => _items.Count(e => !e.IsWarning);

    public void Add(int line, int column, string message, string code, bool warning = false) =>
        _items.Add(new SyncRulesError(line, column, message, code, warning));

    public void AddRange(IEnumerable<SyncRulesError> problems) => _items.AddRange(problems);

    public void AddSql(SqlSource source, int offset, string message, string code, bool warning = false)
    {
        var (line, column) = source.Locate(offset);
        Add(line, column, message, code, warning);
    }
}
