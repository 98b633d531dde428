namespace PowerSync.Core.SyncRules;

/// <summary>
/// A source table one query of the rules reads, where its name is in the YAML (1-based line and column of
/// the FROM item), and the columns the query reads from its rows (SELECT list, WHERE, function arguments;
/// request values such as <c>bucket.x</c>, <c>token_parameters.x</c> or <c>auth.user_id()</c> are not
/// columns). Plain data, so that the rules can be checked against a database without depending on one.
/// </summary>
/// <param name="Table">The table (schema-qualified; a name ending in <c>%</c> is a prefix pattern).</param>
/// <param name="Kind">The kind of query.</param>
/// <param name="QueryName">The bucket definition or stream the query belongs to.</param>
/// <param name="Line">YAML line of the table name.</param>
/// <param name="Column">YAML column of the table name.</param>
/// <param name="Columns">Every column reference, in query order (a column referenced twice appears twice).</param>
/// <param name="SelectsAllColumns">The query has <c>SELECT *</c>.</param>
public sealed record SourceTableReference(
    SourceTablePattern Table,
    SourceQueryKind Kind,
    string QueryName,
    int Line,
    int Column,
    IReadOnlyList<SourceColumnReference> Columns,
    bool SelectsAllColumns)
{
    /// <summary>True for queries whose rows only serve as parameter lookups (parameter queries, stream subqueries).</summary>
    public bool IsParameterLookup => Kind is SourceQueryKind.ParameterQuery or SourceQueryKind.StreamSubquery;

    /// <summary>The query in words: "data query of bucket definition 'x'", "subquery of stream 'y'".</summary>
    public string Describe() => Kind switch
    {
        SourceQueryKind.DataQuery => $"the data query of bucket definition '{QueryName}'",
        SourceQueryKind.ParameterQuery => $"the parameter query of bucket definition '{QueryName}'",
        SourceQueryKind.StreamQuery => $"stream '{QueryName}'",
        _ => $"a subquery of stream '{QueryName}'",
    };
}
