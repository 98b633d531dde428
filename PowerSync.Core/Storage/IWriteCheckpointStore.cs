namespace PowerSync.Core.Storage;

/// <summary>
/// Write checkpoints: a client's marker that its uploaded writes (in the source up to an LSN) are
/// in a checkpoint. Keyed by user and client, kept apart. A key keeps only its newest ids.
/// </summary>
internal interface IWriteCheckpointStore
{
    /// <summary>
    /// Legacy generated id: the key's previous id plus one, recorded at <paramref name="headLsn"/>; PSYNC_N2308
    /// when the previous id is 2^63-1.
    /// </summary>
    Task<long> CreateAsync(WriteCheckpointKey key, Lsn headLsn, CancellationToken cancellationToken);

    /// <summary>
    /// A client-supplied id (1..2^63-1), stored only when greater than the key's stored id.
    /// Returns the id now stored (the larger one when the request was stale).
    /// </summary>
    Task<long> RequestAsync(WriteCheckpointKey key, long requestedId, Lsn headLsn, CancellationToken cancellationToken);

    /// <summary>The newest id of the key recorded at or before <paramref name="checkpointLsn"/>, or null.</summary>
    Task<long?> GetAsync(WriteCheckpointKey key, Lsn checkpointLsn, CancellationToken cancellationToken);
}
