using PowerSync.Core.Protocol;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Counts the bytes of one sync stream for <see cref="SyncMetrics"/>: every line into <c>bytes_sent</c>, each
/// checkpoint's lines (from its <c>checkpoint</c> or <c>checkpoint_diff</c> line through <c>checkpoint_complete</c>,
/// or until a newer checkpoint interrupts it) into <c>checkpoint.bytes</c>, and the whole stream into
/// <c>session.bytes</c> when it ends.
/// </summary>
internal sealed class SyncStreamBytes(SyncMetrics metrics)
{
    private long _total;
    private long? _checkpoint; // bytes of the checkpoint being sent; null between checkpoints

    public void LineSent(SyncLine line, long bytes)
    {
        metrics.BytesSent.Add(bytes);
        _total += bytes;
        switch (line)
        {
            case CheckpointLine or CheckpointDiffLine:
                if (_checkpoint is { } interrupted) metrics.CheckpointBytes.Record(interrupted);
                _checkpoint = bytes;
                break;
            case CheckpointCompleteLine:
                metrics.CheckpointBytes.Record((_checkpoint ?? 0) + bytes);
                _checkpoint = null;
                break;
            default:
                if (_checkpoint is { } sending) _checkpoint = sending + bytes;
                break;
        }
    }

    public void Ended()
    {
        if (_checkpoint is { } unfinished) metrics.CheckpointBytes.Record(unfinished);
        _checkpoint = null;
        metrics.SessionBytes.Record(_total);
    }
}
