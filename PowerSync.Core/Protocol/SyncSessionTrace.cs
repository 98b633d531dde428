using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>
/// The activities of one sync stream: <c>powersync.sync.session</c> for the whole stream (a child of the HTTP
/// request's activity) and one <c>powersync.sync.checkpoint</c> child per checkpoint sent, from the moment the
/// session picked the checkpoint up until its last line was written, with an event per line sent. A checkpoint
/// activity links to the <c>powersync.storage.commit</c> activity that made the checkpoint and carries the same
/// <c>powersync.checkpoint.op_id</c> and <c>powersync.lsn</c>: one commit fans out to many sessions
/// asynchronously, so it cannot be their parent. Only created while someone listens (<see cref="Start"/> returns
/// null otherwise); the user id is never recorded, only a short hash of it, and never a token.
/// </summary>
internal sealed class SyncSessionTrace : IDisposable
{
    public const string SessionActivity = "powersync.sync.session";
    public const string CheckpointActivity = "powersync.sync.checkpoint";

    /// <summary>Data lines recorded as events per checkpoint; a large download records the first ones only.</summary>
    private const int MaxDataEvents = 32;

    private readonly Activity _session;
    private Activity? _checkpoint;
    private int _checkpoints;
    private int _buckets;
    private long _ops;
    private long _bytes;
    private long _checkpointOps;
    private long _checkpointBytes;
    private int _dataEvents;

    private SyncSessionTrace(Activity session) => _session = session;

    /// <summary>
    /// Starts tracing a stream of user <paramref name="userId"/>'s client <paramref name="clientId"/> (as the current activity
    /// of the request's flow, so it ends with <see cref="Dispose"/> in that flow); null while nobody listens.
    /// </summary>
    public static SyncSessionTrace? Start(string userId, string? clientId)
    {
        if (!PowerSyncTelemetry.Source.HasListeners()) return null;
        var session = PowerSyncTelemetry.Source.StartActivity(SessionActivity);
        if (session is null) return null;
        if (clientId is not null) session.SetTag(TelemetryTags.ClientId, clientId);
        session.SetTag(TelemetryTags.UserHash, UserHash(userId));
        return new SyncSessionTrace(session);
    }

    /// <summary>The user id's hash as traced: the first 8 bytes of its SHA-256, in hex (the same user gives the same hash).</summary>
    public static string UserHash(string userId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)).AsSpan(0, 8));

    /// <summary>
    /// The session sends <paramref name="checkpoint"/> (picked up at <paramref name="pickedUpAt"/>): a
    /// <paramref name="line"/> (<c>checkpoint</c> or <c>checkpoint_diff</c>) for the client's <paramref name="buckets"/>
    /// buckets, of which <paramref name="changed"/> are downloaded; <paramref name="commit"/> is the trace of the
    /// storage commit that made it (default when unknown).
    /// </summary>
    public void CheckpointStarted(Checkpoint checkpoint, ActivityContext commit, string line, int buckets, int changed, DateTimeOffset pickedUpAt)
    {
        CheckpointEnded(complete: false);
        _buckets = buckets;
        _checkpointOps = 0;
        _checkpointBytes = 0;
        _dataEvents = 0;
        ActivityLink[]? links = commit == default ? null : [new ActivityLink(commit)];
        var activity = PowerSyncTelemetry.StartDetached(CheckpointActivity, _session.Context, pickedUpAt, links);
        if (activity is null) return;
        activity.SetTag(TelemetryTags.RulesVersion, checkpoint.RulesVersion);
        activity.SetTag(TelemetryTags.CheckpointOpId, checkpoint.OpId.Value);
        activity.SetTag(TelemetryTags.Lsn, checkpoint.Lsn.ToString());
        activity.SetTag(TelemetryTags.Line, line);
        activity.SetTag(TelemetryTags.Buckets, buckets);
        activity.SetTag(TelemetryTags.BucketsChanged, changed);
        _checkpoint = activity;
    }

    /// <summary>A line was written to the client: <paramref name="bytes"/> before compression.</summary>
    public void LineSent(SyncLine line, long bytes)
    {
        _bytes += bytes;
        _checkpointBytes += bytes;
        var ops = line is DataLine data ? data.Page.Ops.Count : 0;
        _ops += ops;
        _checkpointOps += ops;
        if (_checkpoint is not { } activity || (line is DataLine && ++_dataEvents > MaxDataEvents)) return;
        var tags = new ActivityTagsCollection { [TelemetryTags.Bytes] = bytes };
        if (line is DataLine page)
        {
            tags[TelemetryTags.Bucket] = page.Page.Bucket;
            tags[TelemetryTags.Ops] = ops;
        }
        activity.AddEvent(new ActivityEvent(LineName(line), tags: tags));
    }

    /// <summary>
    /// The checkpoint being sent ends: <paramref name="complete"/> when its <c>checkpoint_complete</c> line was sent,
    /// false when a newer checkpoint interrupted it or the stream ended first.
    /// </summary>
    public void CheckpointEnded(bool complete)
    {
        if (_checkpoint is not { } activity) return;
        _checkpoint = null;
        _checkpoints++;
        activity.SetTag(TelemetryTags.Ops, _checkpointOps);
        activity.SetTag(TelemetryTags.Bytes, _checkpointBytes);
        activity.SetTag(TelemetryTags.Complete, complete);
        PowerSyncTelemetry.StopDetached(activity);
    }

    /// <summary>The stream ended with <paramref name="code"/> (a coded failure, or an unexpected one).</summary>
    public void Failed(string code, string message)
    {
        _session.SetStatus(ActivityStatusCode.Error, message);
        _session.SetTag(TelemetryTags.ErrorType, code);
    }

    /// <summary>Ends the stream's activity (and an unfinished checkpoint's) with the stream's totals.</summary>
    public void Dispose()
    {
        CheckpointEnded(complete: false);
        _session.SetTag(TelemetryTags.Checkpoints, _checkpoints);
        _session.SetTag(TelemetryTags.Buckets, _buckets);
        _session.SetTag(TelemetryTags.Ops, _ops);
        _session.SetTag(TelemetryTags.Bytes, _bytes);
        _session.Dispose();
    }

    private static string LineName(SyncLine line) => line switch
    {
        CheckpointLine => "checkpoint",
        CheckpointDiffLine => "checkpoint_diff",
        DataLine => "data",
        PartialCheckpointCompleteLine => "partial_checkpoint_complete",
        CheckpointCompleteLine => "checkpoint_complete",
        KeepaliveLine => "keepalive",
        _ => line.GetType().Name.ToLower(CultureInfo.InvariantCulture),
    };
}
