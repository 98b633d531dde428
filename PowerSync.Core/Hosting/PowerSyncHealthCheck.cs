using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PowerSync.Core.Replication;

namespace PowerSync.Core.Hosting;

/// <summary>
/// The <c>powersync</c> health check: says how things stand now, with the reason and the figures in its data.
/// Unhealthy when the bucket store cannot be read; Degraded while replication fails (until it streams again),
/// while the source cannot be queried, before the first checkpoint, or while replication lags behind the
/// source beyond <see cref="PowerSyncOptions.ReplicationLagThreshold"/>; Healthy otherwise.
/// </summary>
internal sealed class PowerSyncHealthCheck(PowerSyncService service) : IHealthCheck
{
    /// <summary>How long the source may take to answer the probe before it counts as unreachable (at most the replication timeout).</summary>
    private static readonly TimeSpan MaxSourceProbeTimeout = TimeSpan.FromSeconds(5);

    private TimeSpan SourceProbeTimeout => service.Options.ReplicationTimeout < MaxSourceProbeTimeout ? service.Options.ReplicationTimeout : MaxSourceProbeTimeout;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await CheckNowAsync(cancellationToken).ConfigureAwait(false);
        // Found once at start-up (a restart checks again): reported with any status, but they do not change it,
        // since the status says how things stand now.
        var mismatches = service.SourceValidationProblems;
        if (mismatches.Count == 0) return result;
        var data = new Dictionary<string, object>(result.Data) { ["source_validation_problems"] = mismatches.Select(p => p.ToString()).ToArray() };
        var description = result.Description + string.Create(CultureInfo.InvariantCulture,
            $" At start-up the sync rules did not match the source database in {mismatches.Count} place(s): see source_validation_problems.");
        return new HealthCheckResult(result.Status, description, result.Exception, data);
    }

    private async Task<HealthCheckResult> CheckNowAsync(CancellationToken cancellationToken)
    {
        if (await service.ProbeStorageAsync(cancellationToken).ConfigureAwait(false) is { } storageError)
            return HealthCheckResult.Unhealthy("The bucket store cannot be read: " + storageError.Message, storageError);

        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var serving = service.ServingReplication;
        string? sourceError = null;
        if (serving is var (version, progress))
        {
            data["sync_rules_version"] = version.Id;
            data["slot"] = version.SlotName;
            sourceError = await ProbeSourceAsync(version.SlotName, progress, data, cancellationToken).ConfigureAwait(false);
            data["connected"] = progress.Connected;
        }
        var lag = service.ReplicationLag;
        data["replication_lag_seconds"] = Math.Round(lag?.TotalSeconds ?? 0, 3);

        if (service.ReplicationFailure is { } failure)
        {
            data["last_error_code"] = failure.Code;
            data["failing_since"] = failure.Since.ToString("O", CultureInfo.InvariantCulture);
            return HealthCheckResult.Degraded($"Replication is failing ({failure.Code}): {failure.Message}", data: data);
        }
        if (sourceError is not null)
            return HealthCheckResult.Degraded(sourceError, data: data);
        if (!service.HasCheckpoint)
            return HealthCheckResult.Degraded("No checkpoint yet: the initial snapshot is still running.", data: data);
        var threshold = service.Options.ReplicationLagThreshold;
        if (lag > threshold)
        {
            return HealthCheckResult.Degraded(
                string.Create(CultureInfo.InvariantCulture, $"Replication lags {lag.Value.TotalSeconds:0.0} s behind the source (threshold {threshold.TotalSeconds:0.#} s)."),
                data: data);
        }
        return HealthCheckResult.Healthy(
            string.Create(CultureInfo.InvariantCulture, $"Replicating; clients can sync (replication lag {lag?.TotalSeconds ?? 0:0.0} s)."), data);
    }

    /// <summary>Reads where the source is (which also feeds the lag) and what the slot retains; the reason when the source cannot answer.</summary>
    private async Task<string?> ProbeSourceAsync(string slot, ReplicationProgress progress, Dictionary<string, object> data, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SourceProbeTimeout);
        try
        {
            var position = await service.ProbeSourceAsync(slot, timeout.Token).ConfigureAwait(false);
            progress.SourceAt(position.Current, DateTimeOffset.UtcNow);
            data["source_wal_lsn"] = position.Current.ToString();
            if (position.RetainedBytes is { } retained) data["retained_wal_bytes"] = retained;
            return null;
        }
        catch (PowerSyncException e) when (e.Code == ReplicationErrorCodes.SourceQueryFailed)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The source database did not answer within {SourceProbeTimeout.TotalSeconds:0} s.");
        }
    }
}
