using System.Diagnostics;

namespace PowerSync.Core;

/// <summary>
/// The names to subscribe to for PowerSync's traces and metrics, e.g. with OpenTelemetry:
/// <c>.WithTracing(t =&gt; t.AddSource(PowerSyncTelemetry.ActivitySourceName))</c> and
/// <c>.WithMetrics(m =&gt; m.AddMeter(PowerSyncTelemetry.SyncMeterName, PowerSyncTelemetry.ReplicationMeterName))</c>.
/// docs/operations.md lists every activity with its tags and every instrument with its unit.
/// </summary>
/// <remarks>
/// Nothing is traced or measured while nobody listens: activities are created only when a listener samples the
/// source, and per-commit and per-checkpoint bookkeeping is skipped then.
/// </remarks>
public static class PowerSyncTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> of replication batches, storage commits, sync sessions and checkpoints sent.</summary>
    public const string ActivitySourceName = "PowerSync";

    /// <summary>The meter of the sync endpoints (connections, operations and bytes sent, refusals).</summary>
    public const string SyncMeterName = "PowerSync";

    /// <summary>The meter of replication (lag, storage commits and their latency).</summary>
    public const string ReplicationMeterName = "PowerSync.Replication";

    /// <summary>The one activity source of the library.</summary>
    internal static ActivitySource Source { get; } = new(ActivitySourceName, typeof(PowerSyncTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts an activity under <paramref name="parent"/> (a root when default) without making it
    /// <see cref="Activity.Current"/>: it ends elsewhere, later (after an fsync, after lines were sent), and must not
    /// become the parent of whatever the calling flow does next.
    /// </summary>
    internal static Activity? StartDetached(string name, ActivityContext parent, DateTimeOffset startTime = default, ActivityLink[]? links = null)
    {
        var current = Activity.Current;
        // With no parent given, a detached activity is a root: not a child of whatever request or test runs around it.
        Activity.Current = null;
        try
        {
            return Source.StartActivity(name, ActivityKind.Internal, parent, tags: null, links, startTime);
        }
        finally
        {
            Activity.Current = current;
        }
    }

    /// <summary>Stops an activity started by <see cref="StartDetached"/>, leaving <see cref="Activity.Current"/> of the calling flow as it was.</summary>
    internal static void StopDetached(Activity activity)
    {
        var current = Activity.Current;
        activity.Stop();
        Activity.Current = current;
    }
}
