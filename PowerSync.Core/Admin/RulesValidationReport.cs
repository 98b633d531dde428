using PowerSync.Core.Replication;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Admin;

/// <summary>
/// What checking the sync rules against the live source database found (<see cref="PowerSyncAdmin.ValidateAsync"/>):
/// the rules' own errors and warnings (with file, line and column), whether the source can be replicated from
/// at all, and where the rules and the source disagree (<see cref="SourceValidationErrorCodes"/>, with file, line and column).
/// </summary>
/// <param name="RulesFile">The rules file, when they came from one.</param>
/// <param name="RulesErrors">Errors in the YAML or its queries: the rules cannot be deployed. The source mismatches are not checked then.</param>
/// <param name="RulesWarnings">Warnings about the rules (they can be deployed).</param>
/// <param name="SourceErrors">What keeps replication from starting (wal_level, publication, role, slots, permissions).</param>
/// <param name="SourceWarnings">What lets replication start but loses or misapplies changes (replica identity, row level security, empty publication).</param>
/// <param name="Problems">Where the rules and the source disagree, in the order of the references in the rules, slots last.</param>
/// <param name="TableReferencesChecked">Table references of the rules that were checked.</param>
/// <param name="SlotsChecked">Whether inactive slots were checked against the bucket store's versions (a store was given and could be read).</param>
/// <param name="Notes">What was not checked, and why.</param>
public sealed record RulesValidationReport(
    string? RulesFile,
    IReadOnlyList<SyncRulesError> RulesErrors,
    IReadOnlyList<SyncRulesError> RulesWarnings,
    IReadOnlyList<SourceProblem> SourceErrors,
    IReadOnlyList<SourceProblem> SourceWarnings,
    IReadOnlyList<SourceValidationProblem> Problems,
    int TableReferencesChecked,
    bool SlotsChecked,
    IReadOnlyList<string> Notes)
{
    /// <summary>
    /// Whether anything would keep the app from starting with <c>FailOnSourceValidationProblems</c> set: rules errors,
    /// source errors, or a mismatch other than <see cref="SourceValidationErrorCodes.RetiredSlotNotDropped"/> (which the app clears itself).
    /// </summary>
    public bool HasErrors => RulesErrors.Count > 0 || SourceErrors.Count > 0 || Problems.Any(p => !IsWarning(p));

    /// <summary>Whether there are warnings: rules or source warnings, or a retired version's slot still to drop.</summary>
    public bool HasWarnings => RulesWarnings.Count > 0 || SourceWarnings.Count > 0 || Problems.Any(IsWarning);

    /// <summary>True for the mismatches that are warnings: the slot of a retired version, which the app drops itself.</summary>
    public static bool IsWarning(SourceValidationProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Code == SourceValidationErrorCodes.RetiredSlotNotDropped;
    }
}
