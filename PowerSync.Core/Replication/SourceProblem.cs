namespace PowerSync.Core.Replication;

/// <summary>
/// One problem found when checking the source database: a stable code, a message that says what
/// is wrong and what to change, and the table concerned when there is one.
/// </summary>
/// <param name="Code">A <see cref="ReplicationErrorCodes"/> value.</param>
/// <param name="Message">What is wrong and what to run or change.</param>
/// <param name="Table">The schema-qualified table the problem is about, or null.</param>
public sealed record SourceProblem(string Code, string Message, string? Table = null)
{
    /// <summary>"[CODE] message".</summary>
    public override string ToString() => $"[{Code}] {Message}";
}
