namespace PowerSync.Core.Storage;

/// <summary>Lifecycle of a stored sync-rules version (values are stored: never renumber).</summary>
internal enum SyncRulesState : byte
{
    /// <summary>Replicating from a fresh snapshot in the background; not served yet.</summary>
    Processing = 1,

    /// <summary>The version clients are served from.</summary>
    Active = 2,

    /// <summary>Replaced by a newer active version; its data is being removed.</summary>
    Stopped = 3,

    /// <summary>Data removed; kept as history.</summary>
    Terminated = 4,
}

/// <summary>A stored sync-rules version: its YAML, state and replication slot.</summary>
internal sealed record SyncRulesVersion(long Id, string Content, SyncRulesState State, string SlotName);

/// <summary>Where a version's replication stands, read by the replicator when it (re)starts.</summary>
/// <param name="ResumeLsn">Last LSN whose data is durable; stream from here. Null before the first commit.</param>
/// <param name="SnapshotDone">Whether the initial snapshot of every table has completed.</param>
/// <param name="NoCheckpointBefore">No checkpoint is exposed until streaming reaches this LSN (the snapshot's consistent point).</param>
/// <param name="Checkpoint">The last visible checkpoint, if any.</param>
/// <param name="Tables">Snapshot progress per table (qualified name).</param>
internal sealed record ReplicationState(
    Lsn? ResumeLsn,
    bool SnapshotDone,
    Lsn NoCheckpointBefore,
    Checkpoint? Checkpoint,
    IReadOnlyDictionary<string, TableSnapshotProgress> Tables);

/// <summary>How far a table's chunked snapshot got: the last key copied (text) and whether it finished.</summary>
internal sealed record TableSnapshotProgress(string? LastKey, bool Done);
