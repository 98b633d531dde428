namespace PowerSync.Client.Tables;

/// <summary>The SQLite type a column is cast to in the table's view.</summary>
public enum ColumnType
{
    /// <summary>TEXT.</summary>
    Text,

    /// <summary>INTEGER (64-bit).</summary>
    Integer,

    /// <summary>REAL (double).</summary>
    Real,
}
