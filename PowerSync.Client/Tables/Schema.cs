namespace PowerSync.Client.Tables;

/// <summary>The app's local schema: tables exposed as views. Changing it needs no migration.</summary>
public sealed class Schema
{
    /// <summary>Creates a schema from tables.</summary>
    public Schema(params Table[] tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        Tables = tables;
    }

    /// <summary>The tables.</summary>
    public IReadOnlyList<Table> Tables { get; }

    internal Table? FindSynced(string name) => Tables.FirstOrDefault(t => t.IsSynced && !t.Options.InsertOnly && t.Name == name);

    internal IEnumerable<string> Validate()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var views = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var table in Tables)
        {
            if (table is null) { yield return "The schema contains a null table."; continue; }
            foreach (var error in table.Validate()) yield return error;
            if (!names.Add(table.Name)) yield return $"Table '{table.Name}' is declared twice.";
            if (!views.Add(table.ViewName)) yield return $"View name '{table.ViewName}' is used by two tables.";
        }
    }
}
