namespace PowerSync.Core.SyncRules;

/// <summary>
/// One problem found in a sync-rules YAML: 1-based line and column in the YAML text (of the offending
/// SQL token when the problem is inside a query), what is wrong and what to change, and a stable code.
/// </summary>
public sealed record SyncRulesError(int Line, int Column, string Message, string Code, bool IsWarning = false)
{
    /// <summary><c>line:column: [code] message</c>.</summary>
    public override string ToString() => $"{Line}:{Column}: {(IsWarning ? "warning " : string.Empty)}[{Code}] {Message}";
}
