namespace PowerSync.Core.Replication;

/// <summary>
/// Everything a check of the source database found: errors (replication cannot start) and warnings
/// (it can, but some changes will not replicate correctly). All problems are collected, not just the first.
/// </summary>
internal sealed class SourceCheckResult
{
    /// <summary>Creates a result.</summary>
    public SourceCheckResult(IReadOnlyList<SourceProblem> errors, IReadOnlyList<SourceProblem> warnings)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(warnings);
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>Problems that prevent replication.</summary>
    public IReadOnlyList<SourceProblem> Errors { get; }

    /// <summary>Problems that let replication run but lose or misapply some changes.</summary>
    public IReadOnlyList<SourceProblem> Warnings { get; }

    /// <summary>True when there are no errors.</summary>
    public bool IsReady => Errors.Count == 0;

    /// <summary>Throws one <see cref="PowerSyncException"/> listing every error; does nothing when ready.</summary>
    /// <exception cref="PowerSyncException">With code <see cref="ReplicationErrorCodes.SourceNotReady"/> and one line per error.</exception>
    public void ThrowIfNotReady()
    {
        if (IsReady) return;
        var lines = string.Join(Environment.NewLine, Errors.Select(e => "  " + e));
        throw new PowerSyncException(
            ReplicationErrorCodes.SourceNotReady,
            $"The source database is not ready for PowerSync replication ({Errors.Count} problem(s)); fix each of these, no restart of the app is needed (replication checks again until they are fixed):{Environment.NewLine}{lines}");
    }
}
