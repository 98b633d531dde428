namespace PowerSync.Client.Tables;

/// <summary>A column of a synced or local table (the <c>id</c> column is implicit).</summary>
/// <param name="Name">The column name as it appears in the view and in the row's JSON data.</param>
/// <param name="Type">The type the view casts the value to.</param>
public sealed record Column(string Name, ColumnType Type)
{
    /// <summary>A TEXT column.</summary>
    public static Column Text(string name) => new(name, ColumnType.Text);

    /// <summary>An INTEGER column.</summary>
    public static Column Integer(string name) => new(name, ColumnType.Integer);

    /// <summary>A REAL column.</summary>
    public static Column Real(string name) => new(name, ColumnType.Real);

    internal string SqlType => Type switch
    {
        ColumnType.Integer => "integer",
        ColumnType.Real => "real",
        _ => "text",
    };
}
