namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>What names mean while compiling one query.</summary>
internal sealed class ExpressionScope
{
    /// <summary>Names that qualify row columns (the table name or its alias).</summary>
    public required IReadOnlyCollection<string> ValueTables { get; init; }

    /// <summary>The table unqualified column names belong to (null when the query has no FROM).</summary>
    public string? DefaultTable { get; init; }

    /// <summary>Pseudo-tables whose columns are parameters: <c>bucket</c>, or <c>token_parameters</c>/<c>user_parameters</c>.</summary>
    public required IReadOnlyCollection<string> ParameterTables { get; init; }

    /// <summary>Parameter queries may compute with request values; data queries may not.</summary>
    public bool SupportsParameterExpressions { get; init; }

    /// <summary>Parameter queries allow <c>row_value IN request_array</c>.</summary>
    public bool SupportsExpandingParameters { get; init; }

    /// <summary>Sync Streams support the array-overlap operator <c>&amp;&amp;</c>; bucket definitions do not.</summary>
    public bool SupportsOverlap { get; init; }

    /// <summary>Function schemas available: <c>request</c> (parameter queries), or the stream schemas.</summary>
    public IReadOnlyCollection<string> ParameterFunctionSchemas { get; init; } = [];

    /// <summary>Words used in errors: "data queries" or "parameter queries".</summary>
    public string QueryKind { get; init; } = "queries";

    public required SqlFunctions Functions { get; init; }
}
