namespace PowerSync.Core.SyncRules;

/// <summary>The bucket entries of one replicated row, plus per-query evaluation errors.</summary>
public sealed record RowEvaluationResult(IReadOnlyList<EvaluatedRow> Rows, IReadOnlyList<EvaluationError> Errors)
{
    /// <summary>No buckets, no errors.</summary>
    public static RowEvaluationResult Empty { get; } = new([], []);
}
