namespace PowerSync.Core.Replication;

/// <summary>
/// The source's current WAL position, for write checkpoints: a client's uploaded writes are in the
/// source at or before this LSN, so they are in the first checkpoint at or after it.
/// </summary>
internal interface IReplicationHead
{
    /// <summary>
    /// Reads the current LSN, passes it to <paramref name="record"/> (which stores a write checkpoint at
    /// it), and only then makes the source produce a later event, so replication reaches a checkpoint
    /// after the record exists even when nothing else is written. (A marker emitted before the record
    /// could be replicated first: the checkpoint it produces would not show the write checkpoint, and
    /// an idle source would never produce another — the client would wait forever.)
    /// </summary>
    Task<T> RecordAtHeadAsync<T>(Func<Lsn, Task<T>> record, CancellationToken cancellationToken);
}
