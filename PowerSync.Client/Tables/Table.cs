namespace PowerSync.Client.Tables;

/// <summary>A table of the app's schema: a view over JSON data in <c>ps_data__&lt;name&gt;</c>.</summary>
public sealed class Table
{
    /// <summary>Creates a table.</summary>
    /// <param name="name">The table name, as used by the sync rules' <c>object_type</c>.</param>
    /// <param name="columns">The columns, without <c>id</c>.</param>
    /// <param name="options">Behaviour options; null for the defaults.</param>
    /// <param name="indexes">Indexes over columns.</param>
    public Table(string name, IReadOnlyList<Column> columns, TableOptions? options = null, IReadOnlyList<TableIndex>? indexes = null)
    {
        Name = name;
        Columns = columns ?? [];
        Options = options ?? new TableOptions();
        Indexes = indexes ?? [];
    }

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The columns, without <c>id</c>.</summary>
    public IReadOnlyList<Column> Columns { get; }

    /// <summary>The options.</summary>
    public TableOptions Options { get; }

    /// <summary>The indexes.</summary>
    public IReadOnlyList<TableIndex> Indexes { get; }

    /// <summary>The name of the view the app queries.</summary>
    public string ViewName => Options.ViewName ?? Name;

    internal string DataTableName => (Options.LocalOnly ? "ps_data_local__" : "ps_data__") + Name;

    internal bool IsSynced => !Options.LocalOnly;

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return "A table has no name.";
        else if (Name.StartsWith("ps_", StringComparison.Ordinal)) yield return $"Table '{Name}': names starting with 'ps_' are reserved.";
        if (Options.ViewName is { } view && (string.IsNullOrWhiteSpace(view) || view.StartsWith("ps_", StringComparison.Ordinal)))
            yield return $"Table '{Name}': view name '{view}' is empty or reserved.";
        if (Columns.Count > 1999) yield return $"Table '{Name}' has {Columns.Count} columns; at most 1999 are allowed.";
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in Columns)
        {
            if (string.IsNullOrWhiteSpace(column.Name)) yield return $"Table '{Name}' has a column without a name.";
            else if (string.Equals(column.Name, "id", StringComparison.OrdinalIgnoreCase)) yield return $"Table '{Name}': 'id' is implicit; remove it from the columns.";
            else if (!seen.Add(column.Name)) yield return $"Table '{Name}': column '{column.Name}' is declared twice.";
        }

        foreach (var index in Indexes)
        {
            foreach (var c in index.Columns.Where(c => !seen.Contains(c.Name)))
                yield return $"Table '{Name}': index '{index.Name}' names unknown column '{c.Name}'.";
        }

        if (Options.TrackPreviousValues?.Columns is { } tracked)
        {
            foreach (var c in tracked.Where(c => !seen.Contains(c)))
                yield return $"Table '{Name}': tracked previous-value column '{c}' is not a column of the table.";
        }

        if (Options.LocalOnly && Options.TrackMetadata) yield return $"Table '{Name}': TrackMetadata needs a synced table, not a local-only one.";
        if (Options.LocalOnly && Options.TrackPreviousValues is not null) yield return $"Table '{Name}': TrackPreviousValues needs a synced table, not a local-only one.";
    }
}
