namespace PowerSync.Core.SyncRules;

/// <summary>
/// One problem found in a sync-rules YAML: 1-based line and column in the YAML text (of the offending
/// SQL token when the problem is inside a query), what is wrong and what to change, and a stable code.
/// </summary>
public sealed record SyncRulesError(int Line, int Column, string Message, string Code, bool IsWarning = false)
{
    /// <summary>The rules file (<see cref="SyncRulesParseOptions.FileName"/>), or null when the YAML did not come from a file.</summary>
    public string? File { get; init; }

    /// <summary><c>file:line:column: [code] message</c> (without <c>file:</c> when there is none).</summary>
    public override string ToString() =>
        $"{(File is null ? string.Empty : File + ":")}{Line}:{Column}: {(IsWarning ? "warning " : string.Empty)}[{Code}] {Message}";
}
