using System.Diagnostics;
using NUnit.Framework;
using PowerSync.Core.Protocol;
using PowerSync.Core.Replication;
using PowerSync.Tests.Hosting;

namespace PowerSync.Tests.Telemetry;

/// <summary>
/// One change followed through PowerSync's activities, as an <see cref="ActivityListener"/> (an OpenTelemetry
/// exporter, say) sees them: the replication batch that applied the source transaction, the storage commit it
/// started, and the checkpoint sent from that commit to a connected client, inside the client's sync session.
/// </summary>
public sealed class SyncTracingTests
{
    private static object? Tag(Activity activity, string name) => activity.GetTagItem(name);

    [Test]
    public async Task A_row_written_in_postgres_is_traced_from_its_replication_batch_through_the_storage_commit_to_the_checkpoint_lines_sent_to_the_client()
    {
        using var recorder = new ActivityRecorder();
        await using var pgdb = await TestPostgres.CreateDatabaseAsync();
        await pgdb.ExecuteAsync(OneChange.SourceSchema);
        OneChange.Run run;
        await using (var app = await LoopbackHost.StartPowerSyncAsync(pgdb.ConnectionString, OneChange.Rules))
        {
            run = await OneChange.RunAsync(app, pgdb);
            // The client went away: its stream, and with it the session's activity, ends.
            await recorder.StoppedAsync(a => a.OperationName == SyncSessionTrace.SessionActivity && Equals(Tag(a, "powersync.client_id"), run.ClientId),
                "the client's sync session ended");
        }

        var session = recorder.Stopped.Single(a => a.OperationName == SyncSessionTrace.SessionActivity && Equals(Tag(a, "powersync.client_id"), run.ClientId));
        var checkpoints = recorder.Stopped.Where(a => a.OperationName == SyncSessionTrace.CheckpointActivity && a.ParentSpanId == session.SpanId)
            .OrderBy(a => a.StartTimeUtc).ToList();
        Assert.That(checkpoints, Has.Count.GreaterThanOrEqualTo(2), "the first (empty) checkpoint, then the one with the row");
        Assert.That(checkpoints.All(c => c.TraceId == session.TraceId), "checkpoints sent are children of their session");

        // The checkpoint that carried the row: a diff of alice's one bucket, its data line and its completion.
        var sent = checkpoints.Single(c => c.Events.Any(e => e.Name == "data"));
        Assert.That(sent.Events.Select(e => e.Name), Is.EqualTo(new[] { "checkpoint_diff", "data", "checkpoint_complete" }));
        Assert.That(sent.Events.Single(e => e.Name == "data").Tags, Does.Contain(new KeyValuePair<string, object?>("powersync.sync.bucket", OneChange.Bucket)));
        Assert.That(Tag(sent, "powersync.sync.line"), Is.EqualTo("checkpoint_diff"));
        Assert.That(Tag(sent, "powersync.sync.buckets"), Is.EqualTo(1));
        Assert.That(Tag(sent, "powersync.sync.buckets_changed"), Is.EqualTo(1));
        Assert.That(Tag(sent, "powersync.sync.ops"), Is.EqualTo(1L));
        Assert.That(Tag(sent, "powersync.sync.complete"), Is.EqualTo(true));
        var lineBytes = sent.Events.Sum(e => (long)e.Tags.Single(t => t.Key == "powersync.sync.bytes").Value!);
        Assert.That(Tag(sent, "powersync.sync.bytes"), Is.EqualTo(lineBytes).And.GreaterThan(0L), "the checkpoint's bytes are its lines' bytes");

        // It links to the storage commit that made its checkpoint, and both carry the checkpoint's op id and LSN.
        Assert.That(sent.Links.Count(), Is.EqualTo(1), "one link: the commit that made the checkpoint");
        var link = sent.Links.Single().Context;
        var commit = recorder.BySpan(link.SpanId);
        Assert.That(commit, Is.Not.Null, "the linked commit was recorded");
        Assert.That(commit!.OperationName, Is.EqualTo(CommitTelemetry.CommitActivity));
        Assert.That(commit.TraceId, Is.EqualTo(link.TraceId));
        Assert.That(Tag(commit, "powersync.checkpoint.op_id"), Is.EqualTo(Tag(sent, "powersync.checkpoint.op_id")).And.Not.Null);
        Assert.That(Tag(commit, "powersync.lsn"), Is.EqualTo(Tag(sent, "powersync.lsn")).And.Not.Null);
        Assert.That(Tag(commit, "powersync.sync_rules.version"), Is.EqualTo(Tag(sent, "powersync.sync_rules.version")));
        Assert.That(Tag(commit, "powersync.storage.ops"), Is.EqualTo(1L), "one PUT into alice's bucket");
        Assert.That(Tag(commit, "powersync.storage.buckets"), Is.EqualTo(1));

        // The commit is the child of the batch of source transactions it commits: the one insert.
        var batch = recorder.BySpan(commit.ParentSpanId);
        Assert.That(batch, Is.Not.Null, "the commit's batch was recorded");
        Assert.That(batch!.OperationName, Is.EqualTo(CommitTelemetry.BatchActivity));
        Assert.That(batch.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "replication batches are roots");
        Assert.That(Tag(batch, "powersync.replication.transactions"), Is.EqualTo(1));
        Assert.That(Tag(batch, "powersync.replication.rows"), Is.EqualTo(1L));
        Assert.That(Tag(batch, "powersync.lsn"), Is.EqualTo(Tag(commit, "powersync.lsn")));
        Assert.That(Tag(batch, "powersync.sync_rules.version"), Is.EqualTo(Tag(commit, "powersync.sync_rules.version")));
        Assert.That((string?)Tag(batch, "powersync.replication.slot"), Does.StartWith("powersync_"));

        // In time: the batch, then its commit until durable, then the checkpoint sent, all within the session.
        Assert.That(batch.StartTimeUtc + batch.Duration, Is.LessThanOrEqualTo(commit.StartTimeUtc));
        Assert.That(commit.StartTimeUtc + commit.Duration, Is.LessThanOrEqualTo(sent.StartTimeUtc), "a checkpoint is sent only once durable");
        Assert.That(sent.StartTimeUtc + sent.Duration, Is.LessThanOrEqualTo(session.StartTimeUtc + session.Duration));

        // The session's totals, and no identity but a hash of the user id: never the token.
        Assert.That(Tag(session, "powersync.user_hash"), Is.EqualTo(SyncSessionTrace.UserHash("alice")).And.Not.EqualTo("alice"));
        Assert.That(session.TagObjects.Select(t => t.Value?.ToString()), Has.None.Contains(run.Token).And.None.EqualTo("alice"));
        Assert.That(Tag(session, "powersync.sync.checkpoints"), Is.EqualTo(checkpoints.Count));
        Assert.That(Tag(session, "powersync.sync.ops"), Is.EqualTo(1L));
        Assert.That((long)Tag(session, "powersync.sync.bytes")!, Is.GreaterThanOrEqualTo(checkpoints.Sum(c => (long)Tag(c, "powersync.sync.bytes")!)));
    }
}
