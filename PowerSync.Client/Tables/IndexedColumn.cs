namespace PowerSync.Client.Tables;

/// <summary>One column of an <see cref="TableIndex"/>.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Ascending">False for a descending index column.</param>
public sealed record IndexedColumn(string Name, bool Ascending = true);
