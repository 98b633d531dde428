namespace PowerSync.Core.Storage;

/// <summary>A sync-rules version's stored state and replication progress, as a store keeps it.</summary>
internal sealed record VersionState(
    SyncRulesState State,
    bool SnapshotDone,
    Lsn NoCheckpointBefore,
    Lsn? ResumeLsn,
    Checkpoint? Checkpoint,
    long LastOp)
{
    /// <summary>
    /// The state a commit leaves: the snapshot marked done at <paramref name="snapshotDone"/>, the resume
    /// LSN moved to <paramref name="commitLsn"/>, and — once the snapshot is done and its consistent point
    /// reached — a checkpoint at the last op, which activates a processing version. Every store commits
    /// exactly this, so their checkpoints agree.
    /// </summary>
    /// <returns>The new state, the checkpoint to publish (null when unchanged or held back), and whether the version becomes active.</returns>
    public (VersionState State, Checkpoint? Published, bool Activated) AfterCommit(long versionId, Lsn? commitLsn, Lsn? snapshotDone)
    {
        var state = this;
        Checkpoint? published = null;
        var activated = false;
        if (snapshotDone is { } consistentPoint)
            state = state with { SnapshotDone = true, NoCheckpointBefore = consistentPoint };
        if (commitLsn is { } lsn && !lsn.IsZero)
        {
            if (state.ResumeLsn is not { } resume || lsn > resume) state = state with { ResumeLsn = lsn };
            if (state.SnapshotDone && lsn >= state.NoCheckpointBefore)
            {
                var checkpoint = new Checkpoint(versionId, new OpId(state.LastOp), Lsn.Max(lsn, state.Checkpoint?.Lsn ?? Lsn.Zero));
                if (checkpoint != state.Checkpoint) published = checkpoint;
                state = state with { Checkpoint = checkpoint };
                if (state.State == SyncRulesState.Processing)
                {
                    state = state with { State = SyncRulesState.Active };
                    activated = true;
                }
            }
        }
        return (state, published, activated);
    }

    /// <summary>Throws unless a writer may write this version (processing or active).</summary>
    public void EnsureWritable(long versionId, bool whileReplicating)
    {
        if (State is SyncRulesState.Processing or SyncRulesState.Active) return;
        throw new PowerSyncException(StorageErrorCodes.VersionNotWritable, whileReplicating
            ? $"Sync-rules version {versionId} became {State} while replicating; stop this replicator (a newer version is active)."
            : $"Sync-rules version {versionId} is {State}; only a processing or active version can be replicated. Deploy the rules again to replicate them.");
    }
}
