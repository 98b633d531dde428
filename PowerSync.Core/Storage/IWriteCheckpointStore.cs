namespace PowerSync.Core.Storage;

/// <summary>
/// Write checkpoints: a client's marker that its uploaded writes (in the source up to an LSN) are
/// in a checkpoint. Keyed by user (and client) — the key format is the protocol's business.
/// </summary>
internal interface IWriteCheckpointStore
{
    /// <summary>Legacy generated id: the key's previous id plus one, recorded at <paramref name="headLsn"/>.</summary>
    Task<long> CreateAsync(string key, Lsn headLsn, CancellationToken ct);

    /// <summary>
    /// A client-supplied id (1..2^63-1), stored only when greater than the key's stored id.
    /// Returns the id now stored (the larger one when the request was stale).
    /// </summary>
    Task<long> RequestAsync(string key, long requestedId, Lsn headLsn, CancellationToken ct);

    /// <summary>The newest id of the key recorded at or before <paramref name="checkpointLsn"/>, or null.</summary>
    Task<long?> GetAsync(string key, Lsn checkpointLsn, CancellationToken ct);
}
