namespace PowerSync.Core.Storage;

/// <summary>
/// The replicator's view of storage, one writer per sync-rules version. Changes are buffered;
/// <see cref="FlushAsync"/> moves them from memory into storage (bounding memory for a source
/// transaction of any size) but neither commits nor exposes them; <see cref="CommitAsync"/> is called
/// only at a source-transaction boundary and makes everything so far durable and visible as one
/// checkpoint, atomically. After an exception the writer is unusable: dispose it and open a new one,
/// which resumes from <see cref="ReplicationState.ResumeLsn"/>; nothing after the last commit was kept,
/// so replaying from there gives exactly the ops (and op ids) an uninterrupted run would have.
/// </summary>
internal interface IBucketStorageWriter : IAsyncDisposable
{
    /// <summary>The version this writer replicates.</summary>
    SyncRulesVersion Version { get; }

    /// <summary>Where replication of this version stands (resume LSN, snapshot progress).</summary>
    Task<ReplicationState> GetStateAsync(CancellationToken cancellationToken);

    /// <summary>Records a row's new bucket/lookup membership (PUTs, and REMOVEs for what it left).</summary>
    ValueTask SaveAsync(SourceRowChange change, CancellationToken cancellationToken);

    /// <summary>Removes every row of a table from every bucket and lookup (TRUNCATE, dropped or re-created table).</summary>
    Task TruncateAsync(SourceTable table, CancellationToken cancellationToken);

    /// <summary>
    /// Records that source relation <paramref name="relationId"/> is <paramref name="table"/> now (committed
    /// with the next commit) and says what was recorded before: the name this relation had, and the
    /// relation that had this name. A different name means the table was renamed; a different relation
    /// means it was dropped and created again.
    /// </summary>
    Task<RelationHistory> RecordRelationAsync(uint relationId, SourceTable table, CancellationToken cancellationToken);

    /// <summary>The stored raw row (for unchanged TOAST values), or null when none is stored.</summary>
    Task<byte[]?> GetRawRowAsync(SourceTable table, string replicaId, CancellationToken cancellationToken);

    /// <summary>Records snapshot progress; committed together with the data saved before it.</summary>
    ValueTask SaveSnapshotProgressAsync(SourceTable table, TableSnapshotProgress progress, CancellationToken cancellationToken);

    /// <summary>Marks the snapshot complete: checkpoints appear once streaming reaches <paramref name="noCheckpointBefore"/>.</summary>
    Task MarkSnapshotDoneAsync(Lsn noCheckpointBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Drops everything saved since the last commit (buffered or flushed) and keeps the writer usable:
    /// the source is about to replay from an earlier position. Commits already made stay.
    /// </summary>
    Task DiscardUncommittedAsync(CancellationToken cancellationToken);

    /// <summary>Writes buffered changes into the storage transaction in progress. Neither durable nor visible until the next commit.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Flushes and, at this source-transaction boundary, creates a checkpoint at <paramref name="lsn"/>
    /// in the same storage transaction. Returns it, or null while checkpoints are held back (snapshot
    /// not done, or <paramref name="lsn"/> before the snapshot's consistent point). Data is durable either way.
    /// </summary>
    Task<Checkpoint?> CommitAsync(Lsn lsn, CancellationToken cancellationToken);

    /// <summary>
    /// Commits as <see cref="CommitAsync"/> does, but returns as soon as the commit is made, before it is
    /// durable, so the next changes can be saved while the disk flushes. The returned task completes
    /// (in commit order) once the commit is durable and its checkpoint visible: acknowledge
    /// <paramref name="lsn"/> to the source only then. If it faults, the writer has failed.
    /// </summary>
    Task<Checkpoint?> StartCommit(Lsn lsn);

    /// <summary>As <see cref="StartCommit(Lsn)"/>, telling <paramref name="observer"/> when the commit is made, durable and visible.</summary>
    Task<Checkpoint?> StartCommit(Lsn lsn, ICommitObserver? observer);

    /// <summary>The source advanced to <paramref name="lsn"/> with nothing to replicate (idle source, keepalive message).</summary>
    Task<Checkpoint?> KeepaliveAsync(Lsn lsn, CancellationToken cancellationToken);
}

/// <summary>What the store knew of a relation before: its previous table name, and the previous relation of its table name.</summary>
internal readonly record struct RelationHistory(string? PreviousName, uint? PreviousRelationOfName);
