namespace PowerSync.Client.Tables;

/// <summary>An index over the JSON data of a table, created as <c>ps_data__&lt;table&gt;__&lt;name&gt;</c>.</summary>
public sealed record TableIndex
{
    /// <summary>Creates an index; prefix a column name with <c>-</c> for descending order.</summary>
    public TableIndex(string name, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Name = name;
        Columns = columns.Select(c => c.StartsWith('-') ? new IndexedColumn(c[1..], false) : new IndexedColumn(c)).ToList();
    }

    /// <summary>Creates an index from explicit columns.</summary>
    public TableIndex(string name, IReadOnlyList<IndexedColumn> columns)
    {
        Name = name;
        Columns = columns;
    }

    /// <summary>The index name (unique within its table).</summary>
    public string Name { get; }

    /// <summary>The indexed columns, in order.</summary>
    public IReadOnlyList<IndexedColumn> Columns { get; }
}
