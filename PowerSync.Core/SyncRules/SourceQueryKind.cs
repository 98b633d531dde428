namespace PowerSync.Core.SyncRules;

/// <summary>Which kind of query of the rules reads a source table (<see cref="SourceTableReference.Kind"/>).</summary>
public enum SourceQueryKind
{
    /// <summary>A <c>data:</c> query of a bucket definition.</summary>
    DataQuery,

    /// <summary>A <c>parameters:</c> query of a bucket definition that looks rows up in a table.</summary>
    ParameterQuery,

    /// <summary>The <c>query:</c> of a Sync Stream (its FROM table).</summary>
    StreamQuery,

    /// <summary>An <c>IN (SELECT ...)</c> subquery of a Sync Stream.</summary>
    StreamSubquery,
}
