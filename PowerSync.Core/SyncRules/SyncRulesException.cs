namespace PowerSync.Core.SyncRules;

/// <summary>The sync-rules YAML was rejected; <see cref="Errors"/> lists every problem found in one pass.</summary>
public sealed class SyncRulesException : PowerSyncException
{
    /// <summary>Creates the exception from the full list of errors (warnings excluded).</summary>
    public SyncRulesException(IReadOnlyList<SyncRulesError> errors)
        : base(SyncRulesErrorCodes.InvalidSyncRules, BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>All errors, in document order.</summary>
    public IReadOnlyList<SyncRulesError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<SyncRulesError> errors) =>
        $"The sync rules have {errors.Count} error(s); fix them and deploy again:" + Environment.NewLine
        + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
