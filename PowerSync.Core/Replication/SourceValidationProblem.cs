namespace PowerSync.Core.Replication;

/// <summary>
/// One way the sync rules and the source database disagree, found by checking the rules against the
/// database: a stable code (<see cref="SourceValidationErrorCodes"/>), what is wrong and what to change,
/// and where in the rules (file, 1-based line and column) when the problem is about a query.
/// </summary>
/// <param name="Code">A <see cref="SourceValidationErrorCodes"/> value, or a source check code.</param>
/// <param name="Message">What is wrong and what to run or change.</param>
/// <param name="File">The rules file, when the rules came from one.</param>
/// <param name="Line">YAML line of the table or column reference; null for problems not about a query (slots).</param>
/// <param name="Column">YAML column of the reference.</param>
/// <param name="Table">The table concerned (<c>schema.table</c>), or null.</param>
public sealed record SourceValidationProblem(string Code, string Message, string? File = null, int? Line = null, int? Column = null, string? Table = null)
{
    /// <summary><c>file:line:column: [code] message</c>, leaving out what is unknown.</summary>
    public override string ToString()
    {
        var at = Line is null ? string.Empty : $"{Line}:{Column}: ";
        if (File is not null && at.Length > 0) at = File + ":" + at;
        return $"{at}[{Code}] {Message}";
    }
}
