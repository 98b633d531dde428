namespace PowerSync.Core.Storage;

/// <summary>A replicated source table.</summary>
internal sealed record SourceTable(string Schema, string Name)
{
    /// <summary><c>schema.name</c>, the key storage files a table's rows under.</summary>
    public string QualifiedName { get; } = Schema + "." + Name;

    public override string ToString() => QualifiedName;
}
