using System.Diagnostics;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Replication;

/// <summary>
/// Traces and measures the storage commits of one replicator. Each commit is one <c>powersync.replication.batch</c>
/// activity (the source transactions it groups, from the first one's begin until the commit starts) with a
/// <c>powersync.storage.commit</c> child (from the commit's start until it is durable), and records the commit
/// histograms of <see cref="ReplicationMetrics"/>. Batches are roots: replication runs on its own, not for a request.
/// While nobody listens, <see cref="StartCommit"/> returns null and nothing is allocated.
/// </summary>
internal sealed class CommitTelemetry(ReplicationMetrics? metrics, long rulesVersion, string slotName)
{
    public const string BatchActivity = "powersync.replication.batch";
    public const string CommitActivity = "powersync.storage.commit";

    /// <summary>
    /// A storage commit at <paramref name="lsn"/> starts now, for the <paramref name="transactions"/> source transactions
    /// (<paramref name="rows"/> row changes) replicated in the last <paramref name="batchAge"/>: the observer to hand
    /// the writer, or null while nobody listens.
    /// </summary>
    public Commit? StartCommit(Lsn lsn, TimeSpan batchAge, int transactions, long rows)
    {
        var observed = metrics?.CommitsObserved == true;
        if (!observed && !PowerSyncTelemetry.Source.HasListeners()) return null;
        var batch = PowerSyncTelemetry.StartDetached(BatchActivity, default, DateTimeOffset.UtcNow - batchAge);
        var lsnText = lsn.ToString();
        if (batch is not null)
        {
            batch.SetTag(TelemetryTags.RulesVersion, rulesVersion);
            batch.SetTag(TelemetryTags.Slot, slotName);
            batch.SetTag(TelemetryTags.Transactions, transactions);
            batch.SetTag(TelemetryTags.Rows, rows);
            batch.SetTag(TelemetryTags.Lsn, lsnText);
            PowerSyncTelemetry.StopDetached(batch);
        }
        var commit = PowerSyncTelemetry.StartDetached(CommitActivity, batch?.Context ?? default);
        if (commit is not null)
        {
            commit.SetTag(TelemetryTags.RulesVersion, rulesVersion);
            commit.SetTag(TelemetryTags.Lsn, lsnText);
        }
        return commit is null && !observed ? null : new Commit(metrics, commit);
    }

    /// <summary>One storage commit being traced or measured.</summary>
    internal sealed class Commit(ReplicationMetrics? metrics, Activity? activity) : ICommitObserver
    {
        private readonly long _started = Stopwatch.GetTimestamp();

        public ActivityContext Trace => activity?.Context ?? default;

        public void Made(long ops, int buckets, Checkpoint? checkpoint)
        {
            if (activity is null) return;
            activity.SetTag(TelemetryTags.StorageOps, ops);
            activity.SetTag(TelemetryTags.StorageBuckets, buckets);
            if (checkpoint is { } made) activity.SetTag(TelemetryTags.CheckpointOpId, made.OpId.Value);
        }

        public void Durable()
        {
            metrics?.CommitDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds);
            if (activity is not null) PowerSyncTelemetry.StopDetached(activity);
        }

        public void Visible() => metrics?.CheckpointDelay.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds);

        /// <summary>The commit failed (before or after it was made): its activity ends with the error.</summary>
        public void Failed(Exception error)
        {
            if (activity is null || activity.IsStopped) return;
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.SetTag(TelemetryTags.ErrorType, ReplicationFailure.CodeOf(error));
            PowerSyncTelemetry.StopDetached(activity);
        }

        /// <summary>Ends the activity with the error if <paramref name="durable"/> (the writer's task for this commit) fails.</summary>
        public void Watch(Task durable)
        {
            if (activity is null) return;
            _ = durable.ContinueWith(static (task, state) => ((Commit)state!).Failed(task.Exception!.GetBaseException()), this,
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
