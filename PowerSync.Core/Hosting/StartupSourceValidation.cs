using Microsoft.Extensions.Logging;
using Npgsql;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Hosting;

/// <summary>
/// The check of the sync rules against the source database when the service starts: every problem is
/// logged once as a warning (event 4001), or, with <see cref="PowerSyncOptions.FailOnSourceValidationProblems"/>,
/// start-up fails with one exception listing them all (except the slots of retired versions, which the service drops itself). A source that cannot be reached is not a problem
/// here (replication retries it): the check is skipped with event 4002.
/// </summary>
internal static class StartupSourceValidation
{
    /// <exception cref="PowerSyncException">Problems were found and the options make them errors (<see cref="SourceValidationErrorCodes.ValidationFailed"/>).</exception>
    public static async Task<IReadOnlyList<SourceValidationProblem>> RunAsync(
        NpgsqlDataSource source, IBucketStorageAdmin admin, PowerSyncOptions options, SyncRulesSet rules, ILogger logger, CancellationToken cancellationToken)
    {
        IReadOnlyList<SourceValidationProblem> problems;
        try
        {
            var slots = await StoreSlotsAsync(admin, cancellationToken).ConfigureAwait(false);
            problems = await SyncRulesSourceValidator.ValidateAsync(source, options.PublicationName, rules, slots, cancellationToken).ConfigureAwait(false);
        }
        catch (PowerSyncException e) when (e.Code == ReplicationErrorCodes.SourceQueryFailed)
        {
            SourceValidationLog.Skipped(logger, e.Message);
            return [];
        }

        // A retired version's slot is dropped by the service itself once it runs: failing start-up would keep it forever.
        var blocking = problems.Where(p => p.Code != SourceValidationErrorCodes.RetiredSlotNotDropped).ToList();
        if (blocking.Count > 0 && options.FailOnSourceValidationProblems)
        {
            throw new PowerSyncException(SourceValidationErrorCodes.ValidationFailed,
                $"The sync rules do not match the source database ({blocking.Count} problem(s)); fix each of these and start again " +
                $"(or set FailOnSourceValidationProblems = false to start with warnings):{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", blocking));
        }

        foreach (var problem in problems)
        {
            SourceValidationLog.Problem(logger, Location(problem), problem.Code, problem.Message);
        }
        if (problems.Count == 0) SourceValidationLog.Matched(logger, rules.TableReferences.Count);
        return problems;
    }

    /// <summary><c>file:line:column: </c> of a problem about a query; empty for the others.</summary>
    private static string Location(SourceValidationProblem problem) =>
        problem.Line is null ? string.Empty : $"{(problem.File is null ? string.Empty : problem.File + ":")}{problem.Line}:{problem.Column}: ";

    /// <summary>The slots this store's versions replicate through now, and those of retired versions not dropped yet.</summary>
    internal static async Task<StoreSlots> StoreSlotsAsync(IBucketStorageAdmin admin, CancellationToken cancellationToken)
    {
        var active = await admin.GetActiveAsync(cancellationToken).ConfigureAwait(false);
        var processing = await admin.GetProcessingAsync(cancellationToken).ConfigureAwait(false);
        var retired = await admin.GetRetiredAsync(cancellationToken).ConfigureAwait(false);
        var inUse = new[] { active, processing }.OfType<SyncRulesVersion>().Select(v => v.SlotName).ToHashSet(StringComparer.Ordinal);
        return new StoreSlots(inUse, retired.ToDictionary(v => v.SlotName, v => v.Id, StringComparer.Ordinal));
    }
}
