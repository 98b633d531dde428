namespace PowerSync.Core.SyncRules;

/// <summary>A failure evaluating one query for one row or request (the rest of the evaluation continues).</summary>
/// <param name="Definition">The bucket definition or stream name.</param>
/// <param name="Message">What failed, e.g. "Comparing blobs is not supported currently".</param>
/// <param name="Code">Always <see cref="SyncRulesErrorCodes.EvaluationFailed"/> for now.</param>
public sealed record EvaluationError(string Definition, string Message, string Code = SyncRulesErrorCodes.EvaluationFailed)
{
    /// <summary>The request's stream subscription whose evaluation failed; null for a default subscription or a row.</summary>
    internal StreamSubscription? Subscription { get; init; }
}
