using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace PowerSync.Core.Replication;

/// <summary>
/// The changes between the task reading the replication stream and the replicator: read ahead into a
/// bounded buffer and handed over in batches. One at a time, each change cost a channel lock and, with
/// the buffer full, a thread-pool wakeup of the reading task.
/// </summary>
internal sealed class ChangeReadAhead
{
    /// <summary>Changes handed over at once, at most.</summary>
    private const int BatchSize = 256;

    /// <summary>Batches buffered (about 2,000 changes: enough to absorb jitter; every change buffered is live data each young-generation GC must copy).</summary>
    private const int BufferedBatches = 8;

    private readonly Channel<ReplicationChange[]> _channel =
        Channel.CreateBounded<ReplicationChange[]>(new BoundedChannelOptions(BufferedBatches) { SingleReader = true, SingleWriter = true });

    private ReplicationChange[] _batch = [];
    private int _index;

    /// <summary>Nothing read ahead is waiting: the replicator has caught up with the stream.</summary>
    public bool NothingBuffered => _index == _batch.Length && _channel.Reader.Count == 0;

    /// <summary>The next change read ahead, if one is there already.</summary>
    public bool TryNext([NotNullWhen(true)] out ReplicationChange? change)
    {
        if (_index == _batch.Length)
        {
            if (!_channel.Reader.TryRead(out var next))
            {
                change = null;
                return false;
            }
            (_batch, _index) = (next, 0);
        }
        change = _batch[_index++];
        return true;
    }

    /// <summary>Completes when a change is there (true) or the stream ended (false); faults with the stream's failure.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>
    /// Reads the stream until it ends or fails (which <see cref="WaitAsync"/> then reports). A batch is handed
    /// over when full or as soon as the next change is not already read, so batching never delays a change.
    /// </summary>
    public async Task ReadAsync(ReconnectingReplicationStream stream, Lsn start, CancellationToken cancellationToken)
    {
        var output = _channel.Writer;
        try
        {
            var batch = new List<ReplicationChange>(BatchSize);
            var changes = stream.ReadChangesAsync(start, cancellationToken).GetAsyncEnumerator(cancellationToken);
            ValueTask<bool> next = default;
            var nextPending = false;
            try
            {
                while (true)
                {
                    next = changes.MoveNextAsync();
                    nextPending = true;
                    if (batch.Count > 0 && (!next.IsCompleted || batch.Count >= BatchSize))
                    {
                        await output.WriteAsync([.. batch], cancellationToken).ConfigureAwait(false);
                        batch.Clear();
                    }
                    nextPending = false;
                    if (!await next.ConfigureAwait(false)) break;
                    batch.Add(changes.Current);
                }
            }
            finally
            {
                // Handing a batch over failed (cancelled) while the next change was being read: let that read
                // end before disposing the stream; its outcome matters no more than the failure under way.
                if (nextPending)
                {
                    try
                    {
                        await next.ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // See above.
                    }
                }
                await changes.DisposeAsync().ConfigureAwait(false);
            }
            if (batch.Count > 0) await output.WriteAsync([.. batch], cancellationToken).ConfigureAwait(false);
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }
}
