namespace PowerSync.Core.SyncRules;

/// <summary>A column a query reads from its table's rows, and where the reference is in the YAML (1-based).</summary>
/// <param name="Name">The column name as Postgres sees it (unquoted names lower-cased).</param>
/// <param name="Line">YAML line of the reference.</param>
/// <param name="Column">YAML column of the reference.</param>
public sealed record SourceColumnReference(string Name, int Line, int Column);
